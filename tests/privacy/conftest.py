# The sign-on fixtures: an app sending real email to a loopback SMTP server, a platform, and
# the relay run on demand.
from tests.endorsements.conftest import app, deliver, platform  # noqa: F401
