"""My preferences: channels, quiet hours in my time zone, locale, and (for clinicians) digest or immediate."""

from fastapi import APIRouter

from accord.notifications.domain.preferences import ClinicianDelivery, Preferences, QuietHours
from accord.notifications.entrypoints.api import queries
from accord.notifications.entrypoints.api.common import audit_of, client_of, repository_of
from accord.notifications.entrypoints.api.schemas import PreferencesBody
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal
from accord.shared.events.contracts.notifications import Channel

router = APIRouter(prefix="/notifications/preferences", tags=["preferences"])


@router.get("", response_model=PreferencesBody)
async def get_preferences(principal: CurrentPrincipal, res: ResourcesDep) -> PreferencesBody:
    return _out(await queries.preferences(res, principal))


@router.put("", response_model=PreferencesBody)
async def put_preferences(body: PreferencesBody, principal: CurrentPrincipal, res: ResourcesDep) -> PreferencesBody:
    quiet = body.quiet_hours
    prefs = Preferences(
        locale=body.locale,
        time_zone=body.time_zone,
        channels=frozenset(Channel(c) for c in body.channels),
        quiet_hours=QuietHours(quiet.start, quiet.end) if quiet else None,
        clinician_delivery=ClinicianDelivery(body.clinician_delivery),
    )
    async with res.pool.acquire() as conn, conn.transaction():
        await repository_of(res, conn).people.save_preferences(principal.tenant_id, principal.subject, prefs)
        await audit_of(res).record(
            conn, principal, "update", "notification_preferences", principal.subject, client_of(principal)
        )
    return _out(prefs)


def _out(prefs: Preferences) -> PreferencesBody:
    quiet = prefs.quiet_hours
    return PreferencesBody.model_validate(
        {
            "locale": prefs.locale,
            "time_zone": prefs.time_zone,
            "channels": sorted(c.value for c in prefs.channels),
            "quiet_hours": {"start": quiet.start, "end": quiet.end} if quiet else None,
            "clinician_delivery": prefs.clinician_delivery.value,
        }
    )
