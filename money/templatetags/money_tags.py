"""Amounts on pages as the reader's language writes them: €1,234.50 in English, 1 234,50 € in French,
1.234,50 € in German. django-money's Money already prints itself so (through py-moneyed and Babel,
in the active language); this filter gives a bare decimal of the reports, shares and schedules its
currency, so that every amount on a page reads the same way."""

from decimal import Decimal

from django import template
from djmoney.money import Money

register = template.Library()


@register.filter
def money(amount: Decimal | Money | None, currency: str = "") -> Money | str:
    """`{{ row.paid|money:row.currency }}`; a Money passes as it is; without a currency the amount
    stays a number (the template's localisation still writes its decimal separator)."""
    if amount is None or amount == "":
        return ""
    if isinstance(amount, Money):
        return amount
    if not currency:
        return amount
    return Money(amount, str(currency))
