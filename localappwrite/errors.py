"""Appwrite's errors: one factory per error type localappwrite answers, with the code and the wording of
Appwrite 1.9.6's `app/config/errors.php` (a `%s` there is the id or key the factory takes).

Models and handlers raise these; the HTTP layer turns any of them into `{message, code, type, version}`.
"""

from __future__ import annotations

import json
from typing import Protocol


class AppwriteError(Exception):
    """An error answered with Appwrite's body: {message, code, type, version}."""

    def __init__(self, code: int, type: str, message: str):
        super().__init__(message)
        self.code = code
        self.type = type
        self.message = message


class Words(Protocol):
    """How a route family names its things (TablesDB: row/table/column; legacy Databases: document/…)."""

    row: str
    row_title: str
    table: str
    table_title: str
    column: str
    column_title: str


# -- general ---------------------------------------------------------------------------------------------


def general_route_not_found() -> AppwriteError:
    return AppwriteError(404, "general_route_not_found",
                         "Route not found. Please ensure the endpoint is configured correctly and that the API "
                         "route is valid for this SDK version. Refer to the API docs for more details.")


def general_argument_invalid(message: str) -> AppwriteError:
    """A param validator's refusal; utopia words it ``Invalid `name` param: <validator description>``."""
    return AppwriteError(400, "general_argument_invalid", message)


def param_invalid(name: str, description: str) -> AppwriteError:
    return general_argument_invalid(f"Invalid `{name}` param: {description}")


def param_missing(name: str) -> AppwriteError:
    return general_argument_invalid(f'Param "{name}" is not optional.')


def general_query_invalid(message: str) -> AppwriteError:
    return AppwriteError(400, "general_query_invalid", message)


def general_cursor_not_found(word: str, cursor: str) -> AppwriteError:
    return AppwriteError(400, "general_cursor_not_found", f"{word} '{cursor}' for the 'cursor' value not found.")


def database_query_order_null(attribute: str) -> AppwriteError:
    return AppwriteError(400, "database_query_order_null", f"Order attribute '{attribute}' is empty")


def general_unauthorized_scope(who: str, scopes: list[str]) -> AppwriteError:
    """`who` as Appwrite words the caller: `User (role: guests)`, `app.<project>@service.<host> (role: …)`."""
    return AppwriteError(401, "general_unauthorized_scope",
                         f"{who} missing scopes ({json.dumps(scopes, separators=(',', ':'))})")


def user_unauthorized(message: str = "The current user is not authorized to perform the requested action.",
                      ) -> AppwriteError:
    return AppwriteError(401, "user_unauthorized", message)


def project_id_missing() -> AppwriteError:
    return AppwriteError(403, "project_id_missing", "The project ID is missing. Please add the project ID to your "
                                                    "request.")


def project_not_found() -> AppwriteError:
    return AppwriteError(404, "project_not_found", "Project with the requested ID could not be found. Please check "
                         "the value of the X-Appwrite-Project header to ensure the correct project ID is being used.")


def general_unknown_origin(host: str) -> AppwriteError:
    # The message is the Origin validator's description (AW src/Appwrite/Network/Validator/Origin.php).
    return AppwriteError(403, "general_unknown_origin",
                         f"Invalid Origin. Register your new client ({host}) as a new Web platform on your project "
                         "console dashboard")


def general_rate_limit_exceeded() -> AppwriteError:
    return AppwriteError(429, "general_rate_limit_exceeded",
                         "Rate limit for the current endpoint has been exceeded. Please try again after some time.")


def general_unknown() -> AppwriteError:
    """What Appwrite answers for an exception of its own code (general.php rewrites the message)."""
    return AppwriteError(500, "general_unknown", "Server Error")


def general_server_error() -> AppwriteError:
    return AppwriteError(500, "general_server_error", "Server Error")


def general_service_disabled() -> AppwriteError:
    return AppwriteError(503, "general_service_disabled", "The requested service is disabled.")


# -- users, teams, account -------------------------------------------------------------------------------


def user_not_found(message: str = "User with the requested ID could not be found.") -> AppwriteError:
    return AppwriteError(404, "user_not_found", message)


def user_already_exists(message: str = "A user with the same id, email, or phone already exists in this project.",
                        ) -> AppwriteError:
    return AppwriteError(409, "user_already_exists", message)


def user_invalid_credentials() -> AppwriteError:
    return AppwriteError(401, "user_invalid_credentials", "Invalid credentials. Please check the email and password.")


def user_blocked() -> AppwriteError:
    return AppwriteError(403, "user_blocked", "The current user has been blocked.")


def user_session_already_exists() -> AppwriteError:
    return AppwriteError(401, "user_session_already_exists",
                         "Creation of a session is prohibited when a session is active.")


def user_session_not_found() -> AppwriteError:
    return AppwriteError(404, "user_session_not_found", "The current user session could not be found.")


def team_not_found() -> AppwriteError:
    return AppwriteError(404, "team_not_found", "Team with the requested ID could not be found.")


def team_already_exists() -> AppwriteError:
    return AppwriteError(409, "team_already_exists",
                         "Team with requested ID already exists. Please choose a different ID and try again.")


def membership_not_found() -> AppwriteError:
    return AppwriteError(404, "membership_not_found", "Membership with the requested ID could not be found.")


def membership_already_confirmed() -> AppwriteError:
    return AppwriteError(409, "membership_already_confirmed", "Membership is already confirmed.")


# -- databases (the family supplies row/document, table/collection, column/attribute) ---------------------


def database_not_found(database_id: str) -> AppwriteError:
    return AppwriteError(404, "database_not_found",
                         f"Database with the requested ID '{database_id}' could not be found.")


def database_already_exists(database_id: str) -> AppwriteError:
    return AppwriteError(409, "database_already_exists",
                         f"Database with the requested ID '{database_id}' already exists. Try again with a different "
                         "ID or use ID.unique() to generate a unique ID.")


def table_not_found(fam: Words, table_id: str) -> AppwriteError:
    return AppwriteError(404, f"{fam.table}_not_found",
                         f"{fam.table_title} with the requested ID '{table_id}' could not be found.")


def table_already_exists(fam: Words, table_id: str) -> AppwriteError:
    return AppwriteError(409, f"{fam.table}_already_exists",
                         f"A {fam.table} with the requested ID '{table_id}' already exists. Try again with a "
                         "different ID or use ID.unique() to generate a unique ID.")


def column_not_found(fam: Words, key: str) -> AppwriteError:
    return AppwriteError(404, f"{fam.column}_not_found",
                         f"{fam.column_title} with the requested key '{key}' could not be found.")


def column_already_exists(fam: Words, key: str) -> AppwriteError:
    return AppwriteError(409, f"{fam.column}_already_exists",
                         f"{fam.column_title} with the requested key '{key}' already exists. {fam.column_title} keys "
                         "must be unique, try again with a different key.")


def column_unknown(fam: Words, key: str) -> AppwriteError:
    return AppwriteError(400, f"{fam.column}_unknown",
                         f"The {fam.column} '{key}' required for the index could not be found. Please confirm all "
                         f"your {fam.column}s are in the available state.")


def column_type_invalid(fam: Words, message: str) -> AppwriteError:
    return AppwriteError(400, f"{fam.column}_type_invalid", message)


def attribute_type_invalid(message: str) -> AppwriteError:
    """Increment/decrement of a column that is no number: `attribute_type_invalid` in both families."""
    return AppwriteError(400, "attribute_type_invalid", message)


def column_limit_exceeded(fam: Words, message: str) -> AppwriteError:
    return AppwriteError(400, f"{fam.column}_limit_exceeded", message)


def column_value_invalid(fam: Words, message: str) -> AppwriteError:
    return AppwriteError(400, f"{fam.column}_value_invalid", message)


def column_default_unsupported(fam: Words, message: str) -> AppwriteError:
    return AppwriteError(400, f"{fam.column}_default_unsupported", message)


def index_not_found(key: str) -> AppwriteError:
    return AppwriteError(404, "index_not_found", f"Index with the requested key '{key}' could not be found.")


def index_already_exists(key: str) -> AppwriteError:
    return AppwriteError(409, "index_already_exists",
                         f"Index with the requested key '{key}' already exists. Try again with a different key.")


def index_invalid(message: str) -> AppwriteError:
    return AppwriteError(400, "index_invalid", message)


def row_not_found(fam: Words, row_id: str) -> AppwriteError:
    return AppwriteError(404, f"{fam.row}_not_found",
                         f"{fam.row_title} with the requested ID '{row_id}' could not be found.")


def row_already_exists(fam: Words, row_id: str) -> AppwriteError:
    return AppwriteError(409, f"{fam.row}_already_exists",
                         f"{fam.row_title} with the requested ID '{row_id}' already exists. Try again with a "
                         "different ID or use ID.unique() to generate a unique ID.")


def row_invalid_structure(fam: Words, detail: str) -> AppwriteError:
    # The message is utopia-php/database's StructureException, which says "document" for both families.
    return AppwriteError(400, f"{fam.row}_invalid_structure", f"Invalid document structure: {detail}")


def row_missing_data(fam: Words) -> AppwriteError:
    return AppwriteError(400, f"{fam.row}_missing_data",
                         f"The {fam.row} data is missing. Try again with {fam.row} data populated")


def row_missing_payload(fam: Words) -> AppwriteError:
    return AppwriteError(400, f"{fam.row}_missing_payload",
                         f"The {fam.row} data and permissions are missing. You must provide either {fam.row} data "
                         "or permissions to be updated.")
