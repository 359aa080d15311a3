import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from project.serving import ready_to_serve

application = ready_to_serve(get_wsgi_application())
