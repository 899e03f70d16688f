"""What accounts asks the apps above it (jiuzhu.core.hooks). Policies, which keeps the
departments and social organisations, registers here in its AppConfig.ready()."""

from jiuzhu.core.hooks import Hook

#: (*) -> list of (code, name, is_social): every department and social organisation an
#: account may belong to (User.department). `is_social` is True for a social
#: organisation (charity, social-work agency, volunteers), whose accounts have the
#: service_org role; the others are departments and groups (department_officer).
organisations = Hook("accounts.organisations")
