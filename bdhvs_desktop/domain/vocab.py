"""The campaign's fixed vocabularies: codes stored in the database (English) and the
Vietnamese labels users see. Numbers and targets are data (presets), never here."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    PARTY_COMMITTEE = "dang_bo"
    PARTY_CELL = "chi_bo"
    AGENCY = "co_quan"
    RESIDENTIAL_GROUP = "to_dan_pho"
    MASS_ORGANISATION = "doan_the"
    SCHOOL = "truong_hoc"
    OTHER = "khac"
    # At a province office: an imported ward, the scope of everything that ward proposed
    # (services/province.py). Its code is the ward's code; units inside it are prefixed by it.
    WARD_SCOPE = "phuong_xa"


UNIT_KIND_LABELS = {
    UnitKind.PARTY_COMMITTEE: "Đảng bộ",
    UnitKind.PARTY_CELL: "Chi bộ",
    UnitKind.AGENCY: "Cơ quan",
    UnitKind.RESIDENTIAL_GROUP: "Tổ dân phố",
    UnitKind.MASS_ORGANISATION: "Đoàn thể",
    UnitKind.SCHOOL: "Trường học",
    UnitKind.OTHER: "Khác",
    UnitKind.WARD_SCOPE: "Phường, xã gửi đề nghị",
}


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


SEX_LABELS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}


class ActivityKind(StrEnum):
    CLASS = "class"
    GUIDANCE = "guidance"
    BROADCAST = "broadcast"
    THEMATIC_MEETING = "thematic_meeting"
    TRAINING = "training"
    OTHER = "other"


ACTIVITY_KIND_LABELS = {
    ActivityKind.CLASS: "Lớp học",
    ActivityKind.GUIDANCE: "Hướng dẫn trực tiếp",
    ActivityKind.BROADCAST: "Phát thanh",
    ActivityKind.THEMATIC_MEETING: "Sinh hoạt chuyên đề",
    ActivityKind.TRAINING: "Tập huấn",
    ActivityKind.OTHER: "Khác",
}


class ModelStatus(StrEnum):
    """Lifecycle of a model (mô hình), in order."""

    REGISTERED = "registered"
    IMPLEMENTING = "implementing"
    EVALUATED = "evaluated"
    EXCELLENT = "excellent"
    REPLICATED = "replicated"


MODEL_STATUS_ORDER = list(ModelStatus)
MODEL_STATUS_LABELS = {
    ModelStatus.REGISTERED: "Đăng ký",
    ModelStatus.IMPLEMENTING: "Đang triển khai",
    ModelStatus.EVALUATED: "Đã đánh giá",
    ModelStatus.EXCELLENT: "Xuất sắc",
    ModelStatus.REPLICATED: "Đã nhân rộng",
}


def model_status_rank(status: str) -> int:
    return MODEL_STATUS_ORDER.index(ModelStatus(status))


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LATE = "late"  # computed, never stored


TASK_STATUS_LABELS = {
    TaskStatus.NOT_STARTED: "Chưa bắt đầu",
    TaskStatus.IN_PROGRESS: "Đang thực hiện",
    TaskStatus.DONE: "Đã hoàn thành",
    TaskStatus.LATE: "Trễ hạn",
}


class TargetStatus(StrEnum):
    MET = "met"
    AT_RISK = "at_risk"
    MISSED = "missed"
    NOT_DUE = "not_due"


TARGET_STATUS_LABELS = {
    TargetStatus.MET: "Đạt",
    TargetStatus.AT_RISK: "Có nguy cơ chưa đạt",
    TargetStatus.MISSED: "Chưa đạt",
    TargetStatus.NOT_DUE: "Chưa đến hạn",
}


#: A gate criterion's verdict on a score sheet (the score sheet, its PDF and Excel, the manual
#: result dialog): a gate is passed or not, it has no points.
GATE_LABELS = {True: "Đạt", False: "Không đạt"}


#: A council meeting's status, as a sentence writes it ("the meeting was open").
MEETING_STATUS_LABELS = {"open": "đang họp", "closed": "đã kết thúc"}


class SubjectKind(StrEnum):
    """What a criteria set scores."""

    PARTY_ORG = "party_org"
    COLLECTIVE = "collective"
    INDIVIDUAL = "individual"


SUBJECT_KIND_LABELS = {
    SubjectKind.PARTY_ORG: "Tổ chức đảng",
    SubjectKind.COLLECTIVE: "Tập thể",
    SubjectKind.INDIVIDUAL: "Cá nhân",
}


class AwardSubject(StrEnum):
    """Who a proposal or an award is for: a collective (a unit) or an individual (a person)."""

    UNIT = "unit"
    PERSON = "person"


AWARD_SUBJECT_LABELS = {
    AwardSubject.UNIT: SUBJECT_KIND_LABELS[SubjectKind.COLLECTIVE],
    AwardSubject.PERSON: SUBJECT_KIND_LABELS[SubjectKind.INDIVIDUAL],
}


class CandidateStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"


CANDIDATE_STATUS_LABELS = {
    CandidateStatus.DRAFT: "Nháp",
    CandidateStatus.PROPOSED: "Đã đề nghị",
    CandidateStatus.REVIEWED: "Đã xem xét",
    CandidateStatus.APPROVED: "Được thông qua",
    CandidateStatus.REJECTED: "Không được thông qua",
    CandidateStatus.ISSUED: "Đã lập hồ sơ trình khen thưởng",
}


def candidate_status_label(status: str, decision: str | None = None) -> str:
    """The status a user reads. "issued" is set by the final dossier (sent to the granting
    authority) and by entering the decision's number; once the register holds the candidate's
    award the user reads that the award was decided, with the decision's number and symbol."""
    label = CANDIDATE_STATUS_LABELS[CandidateStatus(status)]
    if status == CandidateStatus.ISSUED and decision:
        return f"Đã có quyết định khen thưởng (số {decision})"
    return label


class CouncilRole(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY = "secretary"
    MEMBER = "member"


COUNCIL_ROLE_LABELS = {
    CouncilRole.CHAIR: "Chủ tịch Hội đồng",
    CouncilRole.VICE_CHAIR: "Phó Chủ tịch Hội đồng",
    CouncilRole.SECRETARY: "Thư ký Hội đồng",
    CouncilRole.MEMBER: "Ủy viên",
}


class VotingMethod(StrEnum):
    SHOW_OF_HANDS = "show_of_hands"
    SECRET_BALLOT = "secret_ballot"


VOTING_METHOD_LABELS = {
    VotingMethod.SHOW_OF_HANDS: "Biểu quyết giơ tay",
    VotingMethod.SECRET_BALLOT: "Bỏ phiếu kín",
}


class UserRole(StrEnum):
    SECRETARY = "secretary"
    COUNCIL_MEMBER = "council_member"
    VIEWER = "viewer"


USER_ROLE_LABELS = {
    UserRole.SECRETARY: "Thư ký (văn phòng)",
    UserRole.COUNCIL_MEMBER: "Thành viên Hội đồng",
    UserRole.VIEWER: "Chỉ xem",
}

SKILL_LABELS = {
    1: "Dịch vụ công trực tuyến",
    2: "Ứng dụng VNeID",
    3: "Thanh toán trực tuyến (QR)",
    4: "An toàn trên không gian mạng",
    5: "Mua sắm trực tuyến",
}


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "Có" if value else "Không"


class AwardLevel(StrEnum):
    """The level of the authority that grants an award, lowest first."""

    UNIT = "unit"
    WARD = "ward"
    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"


AWARD_LEVEL_ORDER = list(AwardLevel)
AWARD_LEVEL_LABELS = {
    AwardLevel.UNIT: "Cơ sở (cơ quan, đơn vị)",
    AwardLevel.WARD: "Cấp xã, phường",
    AwardLevel.DISTRICT: "Cấp huyện",
    AwardLevel.PROVINCE: "Cấp tỉnh",
    AwardLevel.CENTRAL: "Cấp trung ương",
}


def award_level_rank(level: str) -> int:
    return AWARD_LEVEL_ORDER.index(AwardLevel(level))


class AwardKind(StrEnum):
    """Why an award was given (Decree 152/2025, Art. 4: only some count toward a later merit award)."""

    CAMPAIGN = "campaign"  # khen thưởng theo phong trào thi đua (đợt)
    THEMATIC = "thematic"  # khen thưởng theo chuyên đề
    AD_HOC = "ad_hoc"  # khen thưởng đột xuất
    MERIT = "merit"  # khen thưởng thành tích thực hiện nhiệm vụ (định kỳ, công trạng)


AWARD_KIND_LABELS = {
    AwardKind.CAMPAIGN: "Theo phong trào thi đua",
    AwardKind.THEMATIC: "Theo chuyên đề",
    AwardKind.AD_HOC: "Đột xuất",
    AwardKind.MERIT: "Thành tích thực hiện nhiệm vụ",
}


class AwardSource(StrEnum):
    ISSUED = "issued"  # by a decision made in this program
    IMPORTED = "imported"  # from an Excel book
    TYPED = "typed"  # typed in by hand


AWARD_SOURCE_LABELS = {
    AwardSource.ISSUED: "Quyết định lập tại đây",
    AwardSource.IMPORTED: "Nhập từ Excel",
    AwardSource.TYPED: "Nhập tay",
}
