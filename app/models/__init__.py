"""SQLAlchemy models; nothing else lives here."""

from app.db import Base
from app.models.account import USER_ROLES, AccessLog, LoginAttempt, PeerAssignment, ReviewMember, User
from app.models.audit import AuditAssessment, AuditRating
from app.models.conversation import Conversation, FlowVersion, Message, Response
from app.models.feedback import ACTION_STATUSES, Action, ActionResponse, FeedbackMessage, FeedbackReply
from app.models.participant import COMMUNICATION_NEEDS, PARTICIPANT_CHANNELS, ROLES, Consent, Participant
from app.models.review import AuditRecord, Council, Review
from app.models.safeguarding import Concern, Quote
from app.models.sms import Invitation, Suppression
from app.models.telegram import TelegramLink
from app.models.voice import CallStep, RecordingDeletion

__all__ = [
    "ACTION_STATUSES",
    "COMMUNICATION_NEEDS",
    "PARTICIPANT_CHANNELS",
    "ROLES",
    "USER_ROLES",
    "AccessLog",
    "Action",
    "ActionResponse",
    "AuditAssessment",
    "AuditRating",
    "AuditRecord",
    "Base",
    "CallStep",
    "Concern",
    "Consent",
    "Conversation",
    "Council",
    "FeedbackMessage",
    "FeedbackReply",
    "FlowVersion",
    "Invitation",
    "LoginAttempt",
    "Message",
    "Participant",
    "PeerAssignment",
    "Quote",
    "RecordingDeletion",
    "Response",
    "Review",
    "ReviewMember",
    "Suppression",
    "TelegramLink",
    "User",
]
