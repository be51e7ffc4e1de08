"""The notifications HTTP API: my inbox, my preferences, my contact points and push subscriptions."""

from accord.notifications.entrypoints.api import contact_points, email_confirmation, inbox, preferences, stream

ROUTERS = [inbox.router, stream.router, preferences.router, contact_points.router, email_confirmation.router]
