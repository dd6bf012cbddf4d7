"""A stakeholder group removed while a participant had the registration form open: their
choice is refused beside the field, in the page's language (WTForms' own message, which
WTForms translates into none of Khmer, Thai, Vietnamese, Burmese and Lao)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from meetapp.i18n import LOCALES
from meetapp.models import Participant, StakeholderGroup
from tests.i18n.catalogues import read_catalogue
from tests.registration.conftest import form_data

ERROR = re.compile(r'<div class="invalid-feedback d-block">([^<]*)</div>')


@pytest.mark.parametrize("code", LOCALES)
def test_a_group_removed_meanwhile_is_refused_in_the_page_language(client, db, make_meeting, code):
    meeting = make_meeting(languages=["en", "km"])
    group = db.session.scalar(
        select(StakeholderGroup).where(
            StakeholderGroup.meeting_id == meeting.id, StakeholderGroup.key == "cso"
        )
    )
    page = client.get(f"/m/{meeting.slug}/register", headers={"Accept-Language": code})
    assert f'<option value="{group.id}">' in page.get_data(as_text=True)
    chosen = str(group.id)
    db.session.delete(group)  # the organisers change the groups meanwhile
    db.session.commit()

    response = client.post(
        f"/m/{meeting.slug}/register",
        data=form_data(stakeholder_group=chosen),
        headers={"Accept-Language": code},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{code}"' in page
    expected = (
        "Not a valid choice."
        if code == "en"
        else str(read_catalogue(code).get("Not a valid choice.").string)
    )
    assert [html.unescape(error) for error in ERROR.findall(page)] == [expected]
    registered = select(Participant).where(Participant.meeting_id == meeting.id)
    assert db.session.scalar(registered) is None
