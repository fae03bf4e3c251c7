import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
application = get_asgi_application()

# WhiteNoise serves static files with a synchronous iterator; under ASGI Django warns about it on
# every file although it is harmless for small static assets.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
