"""Widgets shared by the cxdesk screens: pick lists, form pieces, the key bar, big text."""

from cxdesk.screens.widgets.bigtext import big_text
from cxdesk.screens.widgets.choices import NumberedChoice, NumberedSelection
from cxdesk.screens.widgets.forms import FormInput, MessageLine, TickBox
from cxdesk.screens.widgets.keybar import KeyBar

__all__ = ["FormInput", "KeyBar", "MessageLine", "NumberedChoice", "NumberedSelection", "TickBox", "big_text"]
