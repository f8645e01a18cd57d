"""The notification preferences form: one choice per kind of event the user can receive."""

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.notify.events import Delivery, EventType, choice_label


class PreferencesForm(FlaskForm):
    """Filled with one radio group per event kind by ``preferences_form``."""

    kinds: list[EventType] = []


def preferences_form(kinds: list[EventType], current: dict[str, Delivery]) -> PreferencesForm:
    """A form offering each of ``kinds`` its choices, preselected from ``current``."""

    class Form(PreferencesForm):
        pass

    for kind in kinds:
        setattr(
            Form,
            kind.key,
            RadioField(
                kind.label,
                choices=[SelectChoice(d.value, choice_label(kind, d)) for d in kind.choices],
                default=current[kind.key].value,
                validators=[InputRequired(message="Choose one.")],
            ),
        )
    Form.kinds = list(kinds)
    return Form()
