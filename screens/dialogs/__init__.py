"""Dialogs shared by the cxdesk screens: the form base, questions and pick lists, the staff PIN."""

from cxdesk.screens.dialogs.base import LANGUAGES, Dialog, catalog, choices
from cxdesk.screens.dialogs.choice import ChoiceDialog, PickDialog
from cxdesk.screens.dialogs.pin import StaffPinDialog

__all__ = ["LANGUAGES", "ChoiceDialog", "Dialog", "PickDialog", "StaffPinDialog", "catalog", "choices"]
