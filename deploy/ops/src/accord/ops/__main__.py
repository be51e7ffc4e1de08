from accord.ops.cli import app

app(prog_name="accord-ops")
