"""The sign-in page: one button per demo person. Plain HTML, no script, readable by a screen reader."""

from html import escape

from accord.devtools.infra.demo_users import DemoUser


def sign_in_page(request_params: dict[str, str], users: list[DemoUser]) -> str:
    hidden = "\n".join(
        f'      <input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in request_params.items()
    )
    buttons = "\n".join(
        f'        <li><button type="submit" name="user" value="{escape(u.login)}" '
        f'aria-describedby="about-{escape(u.login)}">Sign in as {escape(u.name)}</button> '
        f'<span id="about-{escape(u.login)}">{escape(u.about)} ({escape(", ".join(u.roles))})</span></li>'
        for u in users
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in - Accord development identity provider</title>
</head>
<body>
  <main>
    <h1>Sign in to Accord</h1>
    <p>This is the development identity provider: it has no passwords. Choose the demo person to be.</p>
    <form method="post" action="authorize">
{hidden}
      <fieldset>
        <legend>Demo people</legend>
        <ul>
{buttons}
        </ul>
      </fieldset>
    </form>
  </main>
</body>
</html>
"""


def message_page(title: str, text: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><main><h1>{escape(title)}</h1><p>{escape(text)}</p></main></body>
</html>
"""
