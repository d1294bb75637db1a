// Governance rules: the authority tree, accounts, keys, policies, calendars and
// validators. Who may do what (000 §5, 001 §6, 002 §5: the competent data
// authority supervises its own level and the levels below it):
//   - a supervisor acts within its authority's subtree; the operator (运行管理机构)
//     administers accounts and validators anywhere;
//   - court, arbitrator and operator roles are conferred by the operator only;
//   - a key is rotated by its account (or by the operator when it is lost).
#include <algorithm>

#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

bool IsOperator(const TxContext& ctx) { return ctx.sender.HasRole(Role::kOperator); }

// Supervisor over `authority_id`, or the operator.
Status RequireAdministratorOf(TxContext& ctx, std::string_view authority_id) {
  if (IsOperator(ctx)) return Status::Ok();
  return RequireSupervisorOver(ctx, authority_id);
}

// An account outside the tree (public, court) is administered by the operator only.
Status RequireAccountAdministrator(TxContext& ctx, const AccountRecord& account) {
  if (IsOperator(ctx)) return Status::Ok();
  if (account.authority_id.empty()) {
    return Status::PermissionDenied("account \"" + account.id +
                                    "\" belongs to no authority; only the operator administers it");
  }
  return RequireSupervisorOver(ctx, account.authority_id);
}

}  // namespace

Status ApplyBody(TxContext& ctx, const RegisterAuthorityBody& body) {
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("au").Id(body.division_code), "authority", body.division_code));
  if (!body.parent_code) {
    if (!IsOperator(ctx)) return Status::PermissionDenied("body.parent_code: only the operator registers a root authority");
    if (body.level != AuthorityLevel::kProvince) {
      return Status::InvalidArgument("body.level: a root authority must be a province");
    }
  } else {
    ASSIGN_OR_RETURN(AuthorityRecord parent, LoadAuthority(ctx.state(), *body.parent_code));
    RETURN_IF_ERROR(RequireAdministratorOf(ctx, parent.id));
    if (static_cast<uint8_t>(body.level) != static_cast<uint8_t>(parent.level) + 1) {
      return Status::InvalidArgument("body.level: " + std::string(EnumName(body.level)) +
                                     " cannot sit directly below a " + std::string(EnumName(parent.level)));
    }
    ctx.state().Put(Key("ak").Id(parent.id).Id(body.division_code), "");
  }
  StoreRecord(ctx.state(), Key("au").Id(body.division_code),
              AuthorityRecord{body.division_code, body.name, body.level, body.parent_code.value_or("")});
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const RegisterAccountBody& body) {
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("ac").Id(body.account_id), "account", body.account_id));
  RETURN_IF_ERROR(LoadAuthority(ctx.state(), body.authority).status().WithContext("body.authority"));
  RETURN_IF_ERROR(RequireAdministratorOf(ctx, body.authority));
  for (Role role : body.roles) {
    bool operator_only = role == Role::kCourt || role == Role::kArbitrator || role == Role::kOperator;
    if (operator_only && !IsOperator(ctx)) {
      return Status::PermissionDenied("body.roles: only the operator confers the " + std::string(EnumName(role)) +
                                      " role");
    }
  }
  AccountRecord account;
  account.id = body.account_id;
  account.authority_id = body.authority;
  account.roles = body.roles;
  std::sort(account.roles.begin(), account.roles.end());
  account.public_key = body.public_key;
  account.name = body.display_name;
  account.organisation = body.organisation;
  StoreRecord(ctx.state(), Key("ac").Id(account.id), account);
  ctx.state().Put(Key("ix").Id("ac-auth").Id(account.authority_id).Id(account.id), "");
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const SuspendAccountBody& body) {
  ASSIGN_OR_RETURN(AccountRecord account, LoadAccount(ctx.state(), body.account_id));
  RETURN_IF_ERROR(RequireAccountAdministrator(ctx, account));
  if (account.id == ctx.sender.id) return Status::InvalidArgument("body.account_id: an account cannot suspend itself");
  if (account.status == AccountStatus::kSuspended) {
    return Status::FailedPrecondition("account \"" + account.id + "\" is already suspended");
  }
  account.status = AccountStatus::kSuspended;
  StoreRecord(ctx.state(), Key("ac").Id(account.id), account);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const ReinstateAccountBody& body) {
  ASSIGN_OR_RETURN(AccountRecord account, LoadAccount(ctx.state(), body.account_id));
  RETURN_IF_ERROR(RequireAccountAdministrator(ctx, account));
  if (account.status == AccountStatus::kActive) {
    return Status::FailedPrecondition("account \"" + account.id + "\" is not suspended");
  }
  account.status = AccountStatus::kActive;
  StoreRecord(ctx.state(), Key("ac").Id(account.id), account);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const RotateKeyBody& body) {
  ASSIGN_OR_RETURN(AccountRecord account, LoadAccount(ctx.state(), body.account_id));
  if (account.id != ctx.sender.id && !IsOperator(ctx)) {
    return Status::PermissionDenied("body.account_id: only the account itself (or the operator) rotates its key");
  }
  if (account.public_key == body.new_public_key) {
    return Status::InvalidArgument("body.new_public_key: equals the current key");
  }
  account.public_key = body.new_public_key;
  StoreRecord(ctx.state(), Key("ac").Id(account.id), account);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const SetPolicyBody& body) {
  RETURN_IF_ERROR(LoadAuthority(ctx.state(), body.authority).status().WithContext("body.authority"));
  RETURN_IF_ERROR(RequireSupervisorOver(ctx, body.authority));
  Result<Policy> policy = Policy::Decode(body.policy);
  if (!policy.ok()) return policy.status().WithContext("body.policy");
  RETURN_IF_ERROR(policy->Validate({}, "body.policy"));
  if (policy->calendar_id && !ctx.state().Contains(Key("ca").Id(*policy->calendar_id))) {
    return Status::NotFound("body.policy.calendar_id: calendar \"" + *policy->calendar_id + "\" does not exist");
  }
  ctx.state().Put(Key("po").Id(body.authority), AsStringView(body.policy));
  return Status::Ok();
}

// Calendars are shared by every authority whose policy names them, so a new one
// may be added by any supervisor, but replacing one only by a province's
// supervisor or the operator.
Status ApplyBody(TxContext& ctx, const SetCalendarBody& body) {
  RETURN_IF_ERROR(RequireRole(ctx, ctx.sender.HasRole(Role::kOperator) ? Role::kOperator : Role::kSupervisor,
                              "set_calendar"));
  Result<Calendar> calendar = Calendar::Decode(body.calendar);
  if (!calendar.ok()) return calendar.status().WithContext("body.calendar");
  RETURN_IF_ERROR(calendar->Validate({}, "body.calendar"));
  if (calendar->id != body.calendar_id) {
    return Status::InvalidArgument("body.calendar.id \"" + calendar->id + "\" differs from body.calendar_id");
  }
  if (ctx.state().Contains(Key("ca").Id(body.calendar_id)) && !IsOperator(ctx)) {
    ASSIGN_OR_RETURN(AuthorityRecord own, LoadAuthority(ctx.state(), ctx.sender.authority_id));
    if (!own.parent_id.empty()) {
      return Status::PermissionDenied("replacing calendar \"" + body.calendar_id +
                                      "\" needs a province supervisor or the operator");
    }
  }
  ctx.state().Put(Key("ca").Id(body.calendar_id), AsStringView(body.calendar));
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const AddValidatorBody& body) {
  RETURN_IF_ERROR(RequireRole(ctx, Role::kOperator, "add_validator"));
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("va").U64(body.node_id), "validator node",
                                std::to_string(body.node_id)));
  RETURN_IF_ERROR(LoadAuthority(ctx.state(), body.authority).status().WithContext("body.authority"));
  StoreRecord(ctx.state(), Key("va").U64(body.node_id),
              ValidatorRecord{body.node_id, body.name, body.authority, body.public_key, false});
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const RemoveValidatorBody& body) {
  RETURN_IF_ERROR(RequireRole(ctx, Role::kOperator, "remove_validator"));
  ASSIGN_OR_RETURN(ValidatorRecord validator, LoadRecord<ValidatorRecord>(ctx.state(), Key("va").U64(body.node_id)));
  if (validator.removed) return Status::FailedPrecondition("validator node " + std::to_string(body.node_id) + " is already removed");
  validator.removed = true;  // kept, so the id is never reused
  StoreRecord(ctx.state(), Key("va").U64(body.node_id), validator);
  return Status::Ok();
}

// The operator installs a key the node proves it holds; the old key stops being
// accepted (blocks, checkpoint votes, peer handshakes) from the next transaction on.
Status ApplyBody(TxContext& ctx, const RotateValidatorKeyBody& body) {
  RETURN_IF_ERROR(RequireRole(ctx, Role::kOperator, "rotate_validator_key"));
  ASSIGN_OR_RETURN(ValidatorRecord validator,
                   LoadRecord<ValidatorRecord>(ctx.state(), Key("va").U64(body.node_id)));
  const std::string node = "validator node " + std::to_string(body.node_id);
  if (validator.removed) return Status::FailedPrecondition(node + " is removed");
  if (validator.public_key == body.new_public_key) {
    return Status::InvalidArgument("body.new_public_key: equals the key " + node + " has now");
  }
  const Bytes message = ValidatorKeyProofMessage(ctx.tx.network_id, body.node_id, body.new_public_key);
  if (!crypto::Verify(body.new_public_key, message, body.proof)) {
    return Status::InvalidArgument(
        "body.proof: not a signature by body.new_public_key over this network and node");
  }
  validator.public_key = body.new_public_key;
  StoreRecord(ctx.state(), Key("va").U64(body.node_id), validator);
  return Status::Ok();
}

}  // namespace shulian::ledger
