"""The endpoint registration form."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length

from forum.webhooks.events import EVENTS
from forum.webhooks.targets import MAX_URL


class EndpointForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Give the endpoint a name."), Length(max=120)],
        description="What it is for, e.g. “#fixes channel in chat”",
    )
    url = StringField(
        "URL",
        validators=[DataRequired("Enter the URL to send to."), Length(max=MAX_URL)],
        description="http or https, on a public address (a chat tool's incoming-webhook URL "
        "works as it is)",
    )
    events = SelectMultipleField(
        "Events",
        choices=[(e.key, e.label) for e in EVENTS],
        validators=[DataRequired("Choose at least one event.")],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
