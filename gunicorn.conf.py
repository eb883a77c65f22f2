"""gunicorn's settings, read from the working directory (``gunicorn renkou.wsgi``).

The access log, when turned on (``--access-logfile``), writes each request line with its query
string: a number typed into a GET search would be in it. Its logger class puts the app's masking
filter on the access and error logs (renkou.common.logging, issue 19 item 6).
"""

from renkou.common.logging import gunicorn_logger_class

logger_class = gunicorn_logger_class
