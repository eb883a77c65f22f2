"""The public pages, outside the staff sign-in (issue 18 item 1): the web form (举报) and the
progress page (查询办理进度).

Both count against a per-address hourly limit (``guard``), the form also needs the browser's
proof of work. A submission counts once its form is valid and its work done (an empty or
unworked form costs the server one signature check and writes nothing); a look-up counts
whenever a code is typed, so codes cannot be guessed in bulk.

The form answers with the acknowledgement code, once; the progress page answers a code with the
tip-off's stage only — nothing of the matter, the unit or anyone. No address is written with
the tip-off or its audit row.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from renkou.common.actors import Actor
from renkou.common.forms import styled
from renkou.common.middleware import client_ip
from renkou.common.permissions import public
from renkou.tipoffs import guard, selectors, services
from renkou.tipoffs.constants import PUBLIC_REWARD, PUBLIC_STATUS, Channel, Reward, Status
from renkou.tipoffs.forms import AckForm, PublicForm

NOT_FOUND = "未查到该回执码，请核对后重新输入"


def _refused(
    request: HttpRequest, template: str, context: dict, exc: guard.Refused
) -> HttpResponse:
    context["refused"] = str(exc)
    response = render(request, template, context, status=429)
    response["Retry-After"] = "3600"
    return response


@public
@never_cache
@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest) -> HttpResponse:
    """网上举报: the form; a valid, worked, not-too-frequent submission is received."""
    form = styled(PublicForm(request.POST or None, units=selectors.township_choices()))
    context = {"form": form, "bits": guard.bits()}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            guard.check_work(data["puzzle"], data["answer"])
            guard.count_attempt(guard.SUBMIT, client_ip(request))
        except guard.Refused as exc:
            if str(exc) == guard.TOO_MANY:
                return _refused(request, "tipoffs/public_new.html", context, exc)
            form.add_error(None, str(exc))
        else:
            try:
                tipoff, code = services.tipoff_receive(
                    actor=Actor(request.user),
                    unit_code=data["unit_code"],
                    channel=Channel.WEB,
                    category=data["category"],
                    subject=data["subject"],
                    place=data["place"],
                    content=data["content"],
                    informant_name=data["informant_name"],
                    informant_contact=data["informant_contact"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return render(request, "tipoffs/public_done.html", {"code": code})
    _fresh_puzzle(form)
    return render(request, "tipoffs/public_new.html", context)


def _fresh_puzzle(form: PublicForm) -> None:
    """A new puzzle on every form shown: one already sent is spent (or was wrong)."""
    if not form.is_bound:
        form.initial["puzzle"] = guard.new_puzzle()
        return
    data = dict(form.data.items())  # a QueryDict is immutable; each field here is one value
    data["puzzle"], data["answer"] = guard.new_puzzle(), ""
    form.data = data


@public
@never_cache
@require_http_methods(["GET", "POST"])
def public_status(request: HttpRequest) -> HttpResponse:
    """查询办理进度: the stage of the tip-off of a code, nothing else (the code in a POST body,
    never in a URL)."""
    form = styled(AckForm(request.POST or None))
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            guard.count_attempt(guard.LOOKUP, client_ip(request))
        except guard.Refused as exc:
            return _refused(request, "tipoffs/public_status.html", context, exc)
        found = selectors.by_ack_index(services.ack_index(form.cleaned_data["code"]))
        if found is None:
            form.add_error("code", NOT_FOUND)
        else:
            context["stage"] = PUBLIC_STATUS[Status(found.status)]
            context["reward"] = PUBLIC_REWARD.get(Reward(found.reward), "")
    return render(request, "tipoffs/public_status.html", context)
