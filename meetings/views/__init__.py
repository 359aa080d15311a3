"""Meeting pages: thin views that fetch-and-check, call a service, and render or redirect, one
module per part (meetings and series, the meeting page's agenda, attendance and minutes panels,
tensions, actions, my meetings and calendar feeds). meetings/urls.py names each view by its module."""
