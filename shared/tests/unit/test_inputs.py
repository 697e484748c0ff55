"""E-mail addresses as every service takes them (`shared.inputs.email_address` and the `Email`
request type): any syntactically valid address, internal domains included, no DNS."""

import pytest
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from shared.inputs import Email, email_address

INTERNAL = [
    "billing@acme.local",
    "qa@example.test",
    "docs@acme.example",
    "nobody@acme.invalid",
    "dev@box.localhost",
    "admin@localhost",
    "ops@intranet",
    "a@b.co",
]
MALFORMED = ["a@", "@b.c", "a b@c.d", "plain", "a@@b.c", "a@b..c", "a@.b.c", "a@-b.c", "a@b.c.", "<a@b.c>"]


class Body(BaseModel):
    email: Email = None


@pytest.mark.parametrize("value", INTERNAL)
def test_internal_and_special_use_domains_are_accepted(value):
    assert email_address(value) == value
    assert Body(email=f" {value} ").email == value


@pytest.mark.parametrize("value", MALFORMED)
def test_malformed_addresses_are_refused_with_one_message(value):
    with pytest.raises(ValueError, match=r"^Not a valid email address\.$"):
        email_address(value)
    with pytest.raises(PydanticValidationError, match=r"Not a valid email address\."):
        Body(email=value)


def test_the_domain_is_normalized_and_the_field_kept_as_sent():
    assert email_address("Ann@Acme.LOCAL") == "Ann@acme.local"
    assert Body(email="Ann@Acme.LOCAL").email == "Ann@Acme.LOCAL"
    assert Body(email="  ").email is None
