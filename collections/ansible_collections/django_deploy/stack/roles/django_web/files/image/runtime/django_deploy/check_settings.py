"""Does a release's code load? `python -m django_deploy.check_settings`.

The deployment runs it in a one-off container of a new release (its image, code, environment and
secrets) before that release starts: the settings are imported and the apps loaded (django.setup),
as uWSGI, the release step and every process will. Nothing connects to the database. On success it
prints "settings load: <module>"; on failure one line that names the module, the error and the
project file and line it came from (the innermost frame in the code of the working directory,
/app in the image), and exits 1.
"""

import os
import sys
import traceback


def where(error: BaseException) -> str:
    """' (mysite/settings.py, line 12)' for the frame of the project's code nearest the error."""
    code_dir = os.path.join(os.getcwd(), "")
    if isinstance(error, SyntaxError) and error.filename:
        filename, line = error.filename, error.lineno
    else:
        frames = [
            frame
            for frame in traceback.extract_tb(error.__traceback__)
            if frame.filename.startswith(code_dir)
        ]
        if not frames:
            return ""
        filename, line = frames[-1].filename, frames[-1].lineno
    return f" ({filename.removeprefix(code_dir)}, line {line})"


def describe(error: BaseException) -> str:
    """The innermost cause of the error (django_deploy.settings wraps an ImportError of the
    project's settings, say) and where it came from."""
    while error.__cause__ is not None:
        error = error.__cause__
    return f"{type(error).__name__}: {error}{where(error)}"


def main() -> int:
    module = os.environ.get("DJANGO_DEPLOY_PROJECT_SETTINGS") or os.environ.get(
        "DJANGO_SETTINGS_MODULE", "?"
    )
    try:
        import django

        django.setup()
    except Exception as error:  # noqa: BLE001 - whatever stops the code loading is the answer
        print(f"The settings {module} do not load: {describe(error)}", file=sys.stderr)
        return 1
    print(f"settings load: {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
