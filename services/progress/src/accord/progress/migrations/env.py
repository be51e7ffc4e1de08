from accord.shared.migrations import run_env

run_env()
