"""All models, imported here so that Alembic and `db.create_all` see every table."""

from meetapp.models.accounts import Role, User, UserLogin
from meetapp.models.agenda import (
    AgendaSession,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    Statement,
    StatementKind,
)
from meetapp.models.documents import DocumentStatus, PreparedDocument
from meetapp.models.imports import ImportStatus, MeetingImport
from meetapp.models.jobs import FailedJob
from meetapp.models.mail import MailIntro, MailTemplate
from meetapp.models.meetings import (
    RELEASE_ENDS,
    Contact,
    Meeting,
    Organisation,
    Partner,
    PartnerRole,
    StakeholderGroup,
    meeting_organisers,
)
from meetapp.models.messages import (
    MessageRecipient,
    MessageState,
    OrganiserMessage,
    OutboxAttachment,
    RecipientState,
)
from meetapp.models.outcomes import (
    PRESS_RELEASE_SECTIONS,
    Outcome,
    OutcomeKind,
    PressRelease,
    PressReleaseOverride,
)
from meetapp.models.questions import (
    RegistrationAnswer,
    RegistrationQuestion,
    registration_question_groups,
)
from meetapp.models.registration import OutboxMessage, Participant, Status
from meetapp.models.surveys import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyQuestion,
    SurveyResponse,
    SurveyState,
    SurveyToken,
)

__all__ = [
    "AgendaSession",
    "SessionKind",
    "SessionSpeaker",
    "Speaker",
    "SpeakerRole",
    "Statement",
    "StatementKind",
    "Contact",
    "Partner",
    "PartnerRole",
    "RELEASE_ENDS",
    "DocumentStatus",
    "FailedJob",
    "ImportStatus",
    "MeetingImport",
    "MailIntro",
    "RegistrationAnswer",
    "RegistrationQuestion",
    "registration_question_groups",
    "MailTemplate",
    "Meeting",
    "MessageRecipient",
    "MessageState",
    "OrganiserMessage",
    "OutboxAttachment",
    "RecipientState",
    "Organisation",
    "OutboxMessage",
    "Outcome",
    "OutcomeKind",
    "PRESS_RELEASE_SECTIONS",
    "PressRelease",
    "PressReleaseOverride",
    "PreparedDocument",
    "Participant",
    "Role",
    "QuestionKind",
    "StakeholderGroup",
    "Status",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyInvitationUse",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyState",
    "SurveyToken",
    "User",
    "UserLogin",
    "meeting_organisers",
]
