"""What policies asks the apps above it (jiuzhu.core.hooks). A household receives
a policy when its 指标27 holds the policy's receipt code, or when an app above says
so — referrals registers "delivered by the department through a referral"."""

from jiuzhu.core.hooks import Hook

#: (*, household_id) -> set of policy codes the household receives (一户一策).
received_policy_codes = Hook("policies.received_policy_codes")

#: (*, code) -> polars DataFrame {household_id: Int64, policy: String}, each pair once,
#: for the households under region `code` (all when None): 政策找人 and the push.
received_policy_pairs = Hook("policies.received_policy_pairs")
