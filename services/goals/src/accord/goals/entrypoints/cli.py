from accord.goals.bootstrap import background, create_api, settings, subscriptions
from accord.shared.cli import service_cli

app = service_cli(settings, create_api, subscriptions, background)

if __name__ == "__main__":
    app()
