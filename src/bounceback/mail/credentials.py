"""What a login uses: the password or OAuth2 access token an account's reference points at."""

from __future__ import annotations

from bounceback.mail import oauth, secret_store


def resolve_secret(ref: str) -> str:
    """The secret for a login: an OAuth2 access token, or the password where it is kept.

    Raises SecretError (or, for OAuth2, an error saying how to re-authorise) when it
    cannot be read.
    """
    if oauth.is_oauth2_ref(ref):
        return oauth.access_token(ref)
    return secret_store.read_secret(ref)
