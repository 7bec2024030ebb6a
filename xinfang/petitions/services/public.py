"""What comes from the public pages (网上信访) and what personal data staff may see in full."""

from __future__ import annotations

from django.db import transaction

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.cipher import field_cipher
from xinfang.core.roles import BUREAU_ROLES
from xinfang.directory.models import Category, County, Unit, Village
from xinfang.lib.crypto import DecryptionError
from xinfang.lib.masking import mask_name
from xinfang.petitions.models import (
    Channel,
    Level,
    Matter,
    Petitioner,
)
from xinfang.petitions.rows import (
    ADDRESS_CONTEXT,
    ID_CONTEXT,
    PHONE_CONTEXT,
)
from xinfang.petitions.services.common import (
    EventInput,
    PetitionerInput,
    RegistrationInput,
    RegistryError,
    ensure_visible,
    local_today,
)
from xinfang.petitions.services.registration import matter_register


@transaction.atomic
def pii_reveal(*, by: User, matter: Matter, petitioner: Petitioner, what: str, reason: str) -> str:
    """Decrypt one petitioner's ID number, phone or address for a user allowed to, with a typed reason."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("您没有查看完整个人信息的权限")
    ensure_visible(by, matter)
    if petitioner.matter_id != matter.pk:
        raise RegistryError("信访人不属于该事项")
    if len(reason.strip()) < 4:
        raise RegistryError("请填写查看理由（至少4个字）", "reason")
    columns: dict[str, tuple[str, str, str]] = {
        "id_number": (petitioner.id_number_enc, ID_CONTEXT, "身份证号"),
        "phone": (petitioner.phone_enc, PHONE_CONTEXT, "联系电话"),
        "address": (petitioner.address_enc, ADDRESS_CONTEXT, "住址"),
    }
    if what not in columns:
        raise RegistryError("不支持查看该项信息")
    token, context, label = columns[what]
    try:
        value = field_cipher().decrypt(token, context=context)
    except DecryptionError as error:
        raise RegistryError("无法解密：密钥缺失或数据已被篡改，请联系系统管理员") from error
    audit_record(
        action="pii.reveal",
        actor=by,
        obj=matter,
        changes={"petitioner": mask_name(petitioner.name), "field": label},
        message=f"查看理由：{reason.strip()[:200]}",
    )
    return value


ONLINE_CATEGORY_CODE = "17"  # 其他: the bureau re-classifies an online submission when it screens it


@transaction.atomic
def matter_submit_online(
    *, county: County, township: Unit, village: str, petitioner: PetitionerInput, content: str, appeal: str
) -> Matter:
    """A petition submitted on the public page (网上信访): registered at once, to be screened by staff."""
    category = Category.objects.filter(county=county, code=ONLINE_CATEGORY_CODE).first()
    if category is None:
        raise RegistryError("本县尚未设置问题分类，暂不能网上提交")
    villages = Village.objects.filter(township=township, name=village.strip()) if village.strip() else None
    data = RegistrationInput(
        county=county,
        event=EventInput(date=local_today(), channel=Channel.ONLINE, level=Level.COUNTY),
        origin_township=township,
        origin_village=villages.first() if villages is not None else None,
        origin_village_text=village.strip(),
        category=category,
        content=content,
        appeal=appeal,
        source=Matter.Source.ONLINE,
        petitioners=[petitioner],
    )
    return matter_register(by=None, data=data)
