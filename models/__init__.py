"""Every model, imported so Alembic and create_app see the whole schema."""
from models.audit import AuditEntry
from models.contest import Contest, Signup
from models.federation import CoverageRule, Federation
from models.federation import RoutingVersion
from models.governance import (
    BaseUnion, CollectiveContract, CommitteeMember, CommitteeTerm, CoveredUnit, Employer, FormationStep,
    LabourWarning, Meeting, SpecialCommittee, SupervisionLetter, TermApproval,
)
from models.job import JobLease
from models.membership import Application, Membership
from models.outbox import OutboxMessage
from models.position import Position
from models.privacy import DataRequest
from models.request import Attachment, CannedReply, HelpRequest, RequestEvent, SubmissionKey, Transfer
from models.simulator import (
    SimCall, SimFault, SimMedia, SimMenu, SimMessage, SimOAuthCode, SimQrCode, SimToken, SimUser,
)
from models.staff import Staff
from models.stats import StatsReport, StatsRollup, StatsState
from models.wechat import Counter, InboundMessage, KeyValue
from models.worker import Worker

__all__ = [
    "Application", "Attachment", "AuditEntry", "CannedReply", "Contest", "Counter", "CoverageRule",
    "Federation", "HelpRequest", "InboundMessage", "KeyValue", "Membership", "OutboxMessage",
    "RequestEvent", "SimCall", "SimFault", "SimMedia", "SimMenu", "SimMessage", "SimOAuthCode",
    "SimQrCode", "SimToken", "SimUser", "Signup", "Staff", "SubmissionKey", "Transfer", "Worker",
]
__all__ += ["RoutingVersion", "Position"]
__all__ += ["BaseUnion", "CollectiveContract", "CommitteeMember", "CommitteeTerm", "CoveredUnit", "Employer",
            "FormationStep", "LabourWarning", "Meeting", "SpecialCommittee", "SupervisionLetter", "TermApproval"]
__all__ += ["StatsReport", "StatsRollup", "StatsState"]
__all__ += ["JobLease"]
__all__ += ["DataRequest"]
