"""Forms of the poll pages: they shape the input; the rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import sane_date
from governance.text import single_line

from .models import Poll, PollAnswer
from .queries import option_label

SLOT = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class PollForm(forms.Form):
    kind = forms.ChoiceField(choices=Poll.Kind.choices, widget=forms.RadioSelect, label=_("Kind of poll"))
    title = forms.CharField(max_length=200, label=_("Question"), validators=[single_line])
    body = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("More about it (Markdown)")
    )
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Options, one per line"),
        help_text=_("Score poll and dot vote."),
    )
    points = forms.IntegerField(min_value=1, max_value=100, initial=10, label=_("Dots per member (dot vote)"))
    score_max = forms.IntegerField(min_value=1, max_value=10, initial=5, label=_("Highest score (score poll)"))
    slot_1 = forms.DateTimeField(required=False, label=_("Slot 1"), validators=[sane_date], **SLOT)
    slot_2 = forms.DateTimeField(required=False, label=_("Slot 2"), validators=[sane_date], **SLOT)
    slot_3 = forms.DateTimeField(required=False, label=_("Slot 3"), validators=[sane_date], **SLOT)
    slot_4 = forms.DateTimeField(required=False, label=_("Slot 4"), validators=[sane_date], **SLOT)
    duration_minutes = forms.IntegerField(min_value=5, max_value=1440, initial=60, label=_("Meeting length (minutes)"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        slots = []
        for n in range(1, 5):
            value = data.get(f"slot_{n}")
            if value is not None:
                slots.append(
                    timezone.make_aware(value, self.organisation.tzinfo) if timezone.is_naive(value) else value
                )
        return {
            "kind": data["kind"],
            "title": data["title"],
            "body": data.get("body", ""),
            "options": (data.get("options") or "").splitlines(),
            "slots": slots,
            "points": data["points"],
            "score_max": data["score_max"],
            "duration_minutes": data["duration_minutes"],
        }


TIME_CHOICES = [
    (str(PollAnswer.YES), _("Yes")),
    (str(PollAnswer.IF_NEED_BE), _("If need be")),
    (str(PollAnswer.NO), _("No")),
]


class AnswerForm(forms.Form):
    """One field per option: a score menu, a number of dots, or yes / if need be / no."""

    def __init__(self, *args, poll: Poll, options, mine: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        for option in options:
            name = f"option_{option.pk}"
            label = option_label(option, poll.organisation)
            if poll.kind == Poll.Kind.TIME:
                field = forms.TypedChoiceField(
                    choices=TIME_CHOICES, coerce=int, widget=forms.RadioSelect, label=label, required=False
                )
            elif poll.kind == Poll.Kind.SCORE:
                field = forms.TypedChoiceField(
                    choices=[(str(n), str(n)) for n in range(poll.score_max + 1)],
                    coerce=int,
                    label=label,
                    required=False,
                )
            else:
                field = forms.IntegerField(min_value=0, max_value=poll.points, label=label, required=False)
            field.initial = mine.get(option.pk)
            field.option_id = option.pk
            self.fields[name] = field

    def values(self) -> dict[int, int]:
        return {
            field.option_id: self.cleaned_data[name]
            for name, field in self.fields.items()
            if self.cleaned_data.get(name) is not None
        }


class PickForm(forms.Form):
    option = forms.IntegerField(widget=forms.HiddenInput)
