"""What a dead letter says about its error: enough to act on, never the statement's parameters."""

from sqlalchemy.exc import IntegrityError, OperationalError

from shared.events.deadletter import error_text, transient


def test_a_database_error_is_the_drivers_first_line_without_sql_or_parameters():
    exc = IntegrityError(
        "INSERT INTO users (name, token) VALUES (%(name)s, %(token)s)",
        {"name": "ada", "token": "s3cr3t-token"},
        Exception('duplicate key value violates unique constraint "uq_users_name"\nDETAIL: Key (name)=(ada) exists.'),
    )
    text = error_text(exc)
    assert text == 'Exception: duplicate key value violates unique constraint "uq_users_name"'
    assert "s3cr3t" not in text and "INSERT" not in text


def test_a_handler_error_is_its_type_and_message_cut_short():
    assert error_text(KeyError("project_id")) == "KeyError: 'project_id'"
    assert len(error_text(ValueError("x" * 5000))) == 500


def test_only_infrastructure_failures_count_as_transient():
    assert transient(OperationalError("SELECT 1", {}, ConnectionError("connection refused")))
    assert not transient(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not transient(RuntimeError("handler bug"))
