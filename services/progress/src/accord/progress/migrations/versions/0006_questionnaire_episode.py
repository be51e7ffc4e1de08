"""The care episode a questionnaire was completed for: therapists see the results of their own episodes only.

Earlier responses are given the client's only episode opened by the time they were recorded; where there were
several (or none), the response stays without an episode and only the client sees it.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.questionnaires ADD COLUMN episode_id uuid")
    op.execute(
        f"UPDATE {schema}.questionnaires q SET episode_id = sole.episode_id FROM ("
        f" SELECT q2.response_id, min(e.episode_id::text)::uuid AS episode_id FROM {schema}.questionnaires q2"
        f" JOIN {schema}.episodes e ON e.tenant_id = q2.tenant_id AND e.client_id = q2.client_id"
        "  AND e.opened_at <= q2.occurred_at"
        " GROUP BY q2.response_id HAVING count(*) = 1) AS sole WHERE q.response_id = sole.response_id"
    )
    op.execute(f"CREATE INDEX questionnaires_by_episode ON {schema}.questionnaires (episode_id, occurred_at)")


def downgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.questionnaires DROP COLUMN episode_id")
