from django import forms


class SignupExtraForm(forms.Form):
    """allauth's signup form, extended with the person's name."""

    name = forms.CharField(
        label="Full name", max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    def signup(self, request, user):
        user.name = self.cleaned_data.get("name", "")
        user.save(update_fields=["name"])
