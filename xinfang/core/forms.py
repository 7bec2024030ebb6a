"""Forms whose values a service applies: the form turns input into typed values with Chinese field errors;
the service validates the whole row (unique names across the county, constraints) and raises
ValidationError, which the view puts back beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class InputModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that never changes its instance: the fields, labels and widgets of the model, the
    values typed, and nothing else. The row the gate fetched stays as it was until the service changes it,
    so the service sees the true before and after."""

    def _post_clean(self) -> None:
        return None

    def changes(self) -> dict[str, Any]:
        """The fields the user changed, with their new values."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


def form_errors_from(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError beside the form's fields; errors of other fields, of the row as a
    whole or of a rule across rows above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)
