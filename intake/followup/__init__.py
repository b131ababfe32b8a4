"""Follow-up: codes, keys from a code, waiting replies and the witness's return, nothing linked.

A witness who asks for it gets a follow-up code at submit (:mod:`intake.followup.codes`). Its keys
(:mod:`crypto.followup`) are derived in memory only, under a bound on memory
(:mod:`intake.followup.deriver`), with this deployment's salt and Argon2id parameters
(:mod:`intake.followup.kdfparams`). Staff replies wait as sealed records looked up by a tag that
lives only in their key slot (:mod:`intake.followup.mailboxes`); they come from the offline side
on a stick (:mod:`intake.followup.replyfile`, :mod:`intake.followup.replystick`) and are placed
through the running server (:mod:`intake.followup.placement`). The witness's return — reading,
adding information — is :mod:`intake.followup.session`. Why, and what each party can learn:
docs/threat-model.md, "Follow-up".
"""
