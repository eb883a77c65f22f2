"""The API's pages: ``?page=`` is a whole number from 1 (the schema says so); an empty or
malformed page is a 400 with a Chinese message, a page past the end a 404 — never silently
page 1, and no ``page=last`` the schema does not document."""

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ParseError

PAGE_OUT_OF_RANGE = "页码超出范围"


class PageNumberPagination(pagination.PageNumberPagination):
    invalid_page_message = PAGE_OUT_OF_RANGE
    last_page_strings = ()

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        if self.page_query_param not in request.query_params:
            return 1
        text = request.query_params[self.page_query_param]
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise ParseError("page：页码应为从 1 起的整数")
        return int(text)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = "页码，从 1 起"
        return parameters
