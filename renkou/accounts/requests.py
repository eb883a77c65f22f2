"""The request type of pages behind sign-in, for annotations (never instantiated)."""

from renkou.accounts.models import User
from renkou.common.middleware import ClientRequest


class SignedInRequest(ClientRequest):
    """A request past ``signed_in`` or ``require_perm``: its user is a staff account."""

    user: User
