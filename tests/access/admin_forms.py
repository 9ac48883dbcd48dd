"""Fill a Django admin change form as a browser would: every field with what
the page shows, inline formsets with their management forms."""

from __future__ import annotations


def _value(form, name):
    field = form[name]
    value = field.value()
    widget = field.field.widget
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(widget, "decompress") and not isinstance(value, str):
        return [str(v) for v in widget.decompress(value)]
    return str(value)


def _form_fields(form, data):
    for name in form.fields:
        if form.fields[name].disabled:
            continue
        value = _value(form, name)
        if (
            isinstance(value, list)
            and len(value) > 1
            and hasattr(form.fields[name].widget, "widgets")
        ):
            for i, part in enumerate(value):
                data[f"{form.add_prefix(name)}_{i}"] = part
        elif value != "":
            data[form.add_prefix(name)] = value


def form_data(response) -> dict:
    """The POST a browser would send for the admin page in `response`."""
    data: dict = {}
    admin_form = response.context["adminform"].form
    _form_fields(admin_form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            _form_fields(form, data)
    return data


def add_inline_row(data: dict, prefix: str, **fields) -> dict:
    """One more row in the inline formset `prefix` (e.g. "rooms")."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{total}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return data
