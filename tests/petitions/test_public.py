"""Audited reveals of a petitioner's personal data (pii_reveal): to whom, with what reason, and what the
audit trail keeps (SPEC §4)."""

from __future__ import annotations

import json

import pytest

from tests.petitions.support import (
    ADDRESS_ZHANG,
    ID_LI,
    ID_ZHANG,
    PHONE_ZHANG,
    audits,
    chinese,
    frozen,
    new_matter,
    snapshot,
)
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.services.common import PetitionerInput, RegistryError
from xinfang.petitions.services.public import pii_reveal

pytestmark = pytest.mark.django_db


def test_it_reveals_personal_data_to_the_bureau_and_audits_without_the_plaintext(county, bureau, head):
    with frozen():
        matter = new_matter(bureau, county)
        person = matter.petitioners.get()
        revealed = {
            "id_number": pii_reveal(by=bureau, matter=matter, petitioner=person, what="id_number",
                                    reason="核实身份，准备回访"),
            "phone": pii_reveal(by=head, matter=matter, petitioner=person, what="phone",
                                reason=f"回访电话{PHONE_ZHANG}无人接听，核对号码"),
            "address": pii_reveal(by=bureau, matter=matter, petitioner=person, what="address",
                                  reason="上门走访需要住址"),
        }  # fmt: skip
    assert revealed == {"id_number": ID_ZHANG, "phone": PHONE_ZHANG, "address": ADDRESS_ZHANG}
    records = audits(matter, "pii.reveal")
    assert [r.actor for r in records] == [bureau, head, bureau]
    assert [r.changes["field"] for r in records] == ["身份证号", "联系电话", "住址"]
    assert records[0].message == "查看理由：核实身份，准备回访"
    for record in records:
        text = json.dumps(record.changes, ensure_ascii=False) + record.message + record.object_repr
        for secret in (ID_ZHANG, PHONE_ZHANG, ADDRESS_ZHANG, "张建设"):
            assert secret not in text
        assert record.changes["petitioner"] == "张*设"


def test_it_refuses_reveals_without_a_reason_or_to_other_roles(county, bureau, renshe, persona):
    with frozen():
        matter = new_matter(bureau, county, responsible="县人社局")
        other = new_matter(bureau, county, petitioners=(PetitionerInput(name="李秀英", id_number=ID_LI),))
        person = matter.petitioners.get()
        before = snapshot()
        for reason in ("", "看看", "  看一下 "):
            with pytest.raises(RegistryError, match="至少4个字") as error:
                pii_reveal(by=bureau, matter=matter, petitioner=person, what="phone", reason=reason)
            assert chinese(error) and error.value.field == "reason"
        for user in (renshe, persona("secretary"), persona("auditor")):
            with pytest.raises(RegistryError, match="您没有查看完整个人信息的权限"):
                pii_reveal(by=user, matter=matter, petitioner=person, what="phone", reason="办理需要联系")
        with pytest.raises(RegistryError, match="信访人不属于该事项"):
            pii_reveal(by=bureau, matter=other, petitioner=person, what="phone", reason="办理需要联系")
        with pytest.raises(RegistryError, match="不支持查看该项信息"):
            pii_reveal(by=bureau, matter=matter, petitioner=person, what="name", reason="办理需要联系")
    assert snapshot() == before
    assert not audits(matter, "pii.reveal")


@pytest.mark.parametrize("who", ["outsider", "reported"])
def test_it_refuses_reveals_of_matters_outside_the_users_scope(county, bureau, outsider, who):
    user = outsider if who == "outsider" else bureau
    with frozen():
        matter = new_matter(bureau, county)
        if who == "reported":
            matter.reported_accounts.add(bureau)
        assert not matters_for_user(user=user).filter(pk=matter.pk).exists()
        with pytest.raises(RegistryError):
            pii_reveal(by=user, matter=matter, petitioner=matter.petitioners.get(), what="id_number",
                       reason="核实身份信息")  # fmt: skip
