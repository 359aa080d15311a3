"""English dates as the co-operatives we serve write them (1 December 2026, 13:05): Britain's formats,
under the one English the language menu offers."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
