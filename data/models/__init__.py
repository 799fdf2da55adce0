"""The whole ORM model; import entities from here."""
from data.models.accounts import (  # noqa: F401
    ROLES,
    AccessLog,
    ApiToken,
    CaptchaUse,
    ChangeLog,
    ExchangeBatch,
    InitialLoad,
    User,
    UserSupply,
)
from data.models.base import Base, utcnow  # noqa: F401
from data.models.clients import (  # noqa: F401
    Client,
    ClientMonthly,
    ConnectionDocument,
    GenerationInstallation,
    InjectionAnnex,
    InjectionMonthly,
    Invoice,
    InvoiceLine,
    Meter,
    MeterRegister,
    SurplusCredit,
)
from data.models.geography import Comuna, CompanyComuna, DistributionCompany, Region  # noqa: F401
from data.models.network import (  # noqa: F401
    ConnectionApplication,
    DistributionTransformer,
    Equipment,
    EquipmentMonthly,
    Feeder,
    FeederDemand,
    Pmgd,
    Pole,
    PowerTransformer,
    Span,
    Substation,
    TransformerDemand,
    VnrCode,
)
from data.models.realtime import (  # noqa: F401
    ConnectionEvent,
    ConnectionForm,
    MaintenanceWindow,
    RtAlarm,
    RtInstallation,
    RtLogEntry,
    Sample,
    TransferCoverage,
    SampleRollup,
    Signal,
    SupervisedCompany,
)
