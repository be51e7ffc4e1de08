import typer
import uvicorn

from accord.devidp.app import create_app
from accord.devidp.settings import Settings

app = typer.Typer(add_completion=False, help="Accord's development OpenID Connect provider (never in production).")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 9000) -> None:
    """Serve the provider; ACCORD_DEV_IDP_* variables configure it."""
    settings = Settings()  # refuses ACCORD_ENVIRONMENT=production
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    app()
