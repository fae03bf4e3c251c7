"""Endpoints the SMS gateway and WeChat call: signed, CSRF-exempt, JSON errors (TEC-7).

A wrong or missing signature is a 403 and writes nothing; bad input is a 400 naming the field;
a message delivered again answers as before and changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kefu.channels import sms_inbound, wechat
from kefu.core.errors import KefuError, PermissionDenied


def _refusal(error: KefuError) -> JsonResponse:
    # Bad input is 400 here (not the API's 422): gateways treat 4xx as "do not retry".
    status = 403 if isinstance(error, PermissionDenied) else 400
    if error.status_code in (404, 409):
        status = error.status_code
    return JsonResponse(error.as_dict(), status=status)


@csrf_exempt
@require_POST
def sms_inbound_view(request: HttpRequest) -> HttpResponse:
    """``POST /channels/sms/inbound``: one SMS from a customer, signed by the gateway."""
    body = request.body
    try:
        sms_inbound.sms_signature_check(
            body=body, signature=request.headers.get(sms_inbound.SIGNATURE_HEADER, "")
        )
        result = sms_inbound.sms_inbound_receive(sms=sms_inbound.sms_inbound_parse(body))
    except KefuError as error:
        return _refusal(error)
    answer = {
        "status": "created" if result.created else "duplicate",
        "message": result.message.pk,
        "contact": result.message.contact_id,
        "ticket": result.ticket.number if result.ticket is not None else None,
    }
    return JsonResponse(answer, status=201 if result.created else 200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_callback_view(request: HttpRequest) -> HttpResponse:
    """``/channels/wechat/callback``: the server URL configured on the Official Account."""
    try:
        wechat.wechat_signature_check(
            signature=request.GET.get("signature", ""),
            timestamp=request.GET.get("timestamp", ""),
            nonce=request.GET.get("nonce", ""),
        )
        if request.method == "GET":
            return HttpResponse(
                request.GET.get("echostr", ""), content_type="text/plain; charset=utf-8"
            )
        answer = wechat.wechat_message_receive(fields=wechat.wechat_xml_parse(request.body))
    except KefuError as error:
        return _refusal(error)
    return HttpResponse(answer.body, content_type=answer.content_type)
