"""The deployment's side of a web container, installed in the web image beside the project.

The project's code stays the user's: this package wraps its settings (django_deploy.settings),
answers the health check (django_deploy.middleware), runs the release step (manage.py
deploy_release) and loads the project's WSGI application (django_deploy.wsgi). Nothing here is
imported by the project itself.
"""
