"""What comes from the public pages (网上信访) and what personal data staff may see in full."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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
    OnlineSubmission,
    Petitioner,
)
from xinfang.petitions.rows import (
    ADDRESS_CONTEXT,
    ID_CONTEXT,
    PHONE_CONTEXT,
    protect_id_number,
    protect_phone,
    query_codes_issue,
)
from xinfang.petitions.services.common import (
    EventInput,
    PetitionerInput,
    RegistrationInput,
    RegistryError,
    clean_petitioners,
    ensure_visible,
    free_text,
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


# -- online submissions (网上信访): screened by the bureau before they become matters ----------------------

ONLINE_CATEGORY_CODE = "17"  # 其他: offered when the bureau classifies a submission it accepts


@transaction.atomic
def online_submit(
    *, county: County, township: Unit, village: str, petitioner: PetitionerInput, content: str, appeal: str
) -> OnlineSubmission:
    """A petition submitted on the public page: kept, with its query code, for the bureau to screen.
    Nothing counts it (statistics, reports, deadlines) until it is accepted."""
    if township.county_id != county.pk or not township.is_township:
        raise RegistryError("乡镇不在本县", "township")
    if not content.strip():
        raise RegistryError("请填写反映的问题", "content")
    [(person, id_number, phone)] = clean_petitioners([petitioner])
    protected_id, protected_phone = protect_id_number(id_number), protect_phone(phone)
    address = person.address.strip()
    submission = OnlineSubmission.objects.create(
        county=county,
        query_code=query_codes_issue(1)[0],
        submitted_at=timezone.now(),
        submitted_on=local_today(),
        name=person.name.strip()[:30],
        id_number_enc=protected_id.encrypted,
        id_number_masked=protected_id.masked,
        phone_enc=protected_phone.encrypted,
        phone_masked=protected_phone.masked,
        address_enc=field_cipher().encrypt(address, context=ADDRESS_CONTEXT) if address else "",
        origin_township=township,
        origin_village_text=village.strip()[:50],
        content=free_text(content),
        appeal=free_text(appeal),
    )
    audit_record(
        action="online.submit",
        obj=submission,
        changes={"petitioner": mask_name(submission.name), "township": township.name},
        actor_name="网上信访",
    )
    return submission


def _pending_for(by: User, submission: OnlineSubmission) -> OnlineSubmission:
    """The submission locked for a decision by bureau staff of its county; refused once decided."""
    if by.role not in BUREAU_ROLES or by.county_id != submission.county_id:
        raise RegistryError("您没有审核网上信访的权限")
    locked = OnlineSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.state != OnlineSubmission.State.PENDING:
        raise RegistryError(f"该网上信访已审核（{locked.get_state_display()}），不能重复处理")
    return locked


@transaction.atomic
def online_accept(*, by: User, submission: OnlineSubmission, category: Category) -> Matter:
    """Accept a submission: it is registered as a matter (its query code kept, dated and clocked from the
    day it was submitted: Art. 22 counts from receipt) and from then on counts like any other."""
    locked = _pending_for(by, submission)
    cipher = field_cipher()
    try:
        petitioner = PetitionerInput(
            locked.name,
            cipher.decrypt(locked.id_number_enc, context=ID_CONTEXT) if locked.id_number_enc else "",
            cipher.decrypt(locked.phone_enc, context=PHONE_CONTEXT) if locked.phone_enc else "",
            cipher.decrypt(locked.address_enc, context=ADDRESS_CONTEXT) if locked.address_enc else "",
        )
    except DecryptionError as error:
        raise RegistryError("无法解密：密钥缺失或数据已被篡改，请联系系统管理员") from error
    village = locked.origin_village_text
    matter = matter_register(
        by=by,
        data=RegistrationInput(
            county=locked.county,
            event=EventInput(date=locked.submitted_on, channel=Channel.ONLINE, level=Level.COUNTY),
            origin_township=locked.origin_township,
            origin_village=Village.objects.filter(township=locked.origin_township, name=village).first()
            if village
            else None,
            origin_village_text=village,
            category=category,
            content=locked.content,
            appeal=locked.appeal,
            source=Matter.Source.ONLINE,
            petitioners=[petitioner],
            query_code=locked.query_code,
        ),
    )
    locked.state, locked.decided_at, locked.decided_by, locked.matter = (
        OnlineSubmission.State.ACCEPTED, timezone.now(), by, matter,
    )  # fmt: skip
    locked.save(update_fields=["state", "decided_at", "decided_by", "matter"])
    audit_record(action="online.accept", actor=by, obj=locked, changes={"matter": matter.number})
    return matter


@transaction.atomic
def online_reject(*, by: User, submission: OnlineSubmission, reason: str) -> OnlineSubmission:
    """Reject a submission (不予登记) with the reason the petitioner reads on the query page."""
    reason = free_text(reason)
    if len(reason) < 4:
        raise RegistryError("请填写不予登记的理由（至少4个字），信访人可在查询页看到", "reason")
    locked = _pending_for(by, submission)
    locked.state, locked.decided_at, locked.decided_by, locked.reason = (
        OnlineSubmission.State.REJECTED, timezone.now(), by, reason[:500],
    )  # fmt: skip
    locked.save(update_fields=["state", "decided_at", "decided_by", "reason"])
    audit_record(
        action="online.reject",
        actor=by,
        obj=locked,
        message=reason[:500],
    )
    return locked
