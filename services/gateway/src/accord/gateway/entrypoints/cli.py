from accord.gateway.bootstrap import create_api
from accord.shared.web_cli import web_cli

app = web_cli(create_api)

if __name__ == "__main__":
    app()
