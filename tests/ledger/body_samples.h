// Test fixtures: one fully populated, valid body of every transaction type, with
// realistic Jiangsu/Taizhou values (every optional field present, so each field's
// encoding is exercised).
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <vector>

#include "ledger/bodies.h"

namespace shulian::ledger::testing {

inline crypto::Digest SampleDigest(uint8_t seed) {
  crypto::Digest digest;
  for (size_t i = 0; i < digest.bytes.size(); ++i) digest.bytes[i] = static_cast<uint8_t>(seed + i * 7);
  return digest;
}

inline crypto::PublicKey SampleKey(uint8_t seed) {
  crypto::PublicKey key;
  for (size_t i = 0; i < key.bytes.size(); ++i) key.bytes[i] = static_cast<uint8_t>(seed * 3 + i);
  return key;
}

inline GrantTerms SampleTerms() {
  GrantTerms terms;
  terms.fields = {"name", "credit_code", "registered_capital"};
  terms.business_scenario = "企业开办一件事 — 核验营业执照";
  terms.duration_days = 365;
  terms.mode = AccessMode::kRequestResponse;
  terms.desensitised = true;
  return terms;
}

inline RequestShareBody SampleRequestShare() {
  RequestShareBody b;
  b.request_id = "req-2025-0001";
  b.asset_id = "tz.scjgj.enterprise-registry";
  b.purpose = "核验企业登记信息以办理税务登记";
  b.business_scenario = "企业开办一件事 — 核验营业执照";
  b.fields = {"name", "credit_code", "registered_capital", "legal_person"};
  b.mode = AccessMode::kRequestResponse;
  b.duration_days = 365;
  return b;
}

inline RegisterAssetBody SampleRegisterAsset() {
  RegisterAssetBody b;
  b.asset_id = "tz.scjgj.enterprise-registry";
  b.provider_authority = "321200";
  b.source_department = "泰州市市场监督管理局";
  b.dataset_code = "321200-scjgj-0001";
  b.name = "企业登记信息";
  b.description = "全市市场主体登记信息，每日更新。\n含统一社会信用代码。";
  b.resource_type = ResourceType::kBasic;
  b.grade = ClassificationGrade::kImportant;
  b.contains_personal_data = true;
  b.fields = {"name", "credit_code", "registered_capital", "legal_person"};
  b.format = "api/json";
  b.update_frequency = UpdateFrequency::kDaily;
  b.share_type = ShareType::kConditional;
  b.share_reason = "含法定代表人个人信息";
  b.share_legal_basis = "《泰州市公共数据管理办法》第十四条";
  b.open_type = OpenType::kNotOpen;
  b.open_reason = "含个人信息";
  b.open_legal_basis = "《江苏省公共数据管理办法》第二十五条";
  b.content_hash = SampleDigest(1);
  b.size_bytes = 123'456'789;
  return b;
}

inline std::vector<Body> SampleBodies() {
  std::vector<Body> out;
  {
    RegisterAuthorityBody b;
    b.division_code = "321200";
    b.name = "泰州市数据局";
    b.level = AuthorityLevel::kMunicipality;
    b.parent_code = "320000";
    out.emplace_back(b);
  }
  {
    RegisterAccountBody b;
    b.account_id = "tz.scjgj.registrar";
    b.authority = "321200";
    b.roles = {Role::kProvider, Role::kUser};
    b.public_key = SampleKey(2);
    b.display_name = "泰州市市场监管局数据专员";
    b.organisation = "泰州市市场监督管理局";
    out.emplace_back(b);
  }
  {
    SuspendAccountBody b;
    b.account_id = "tz.user.bad";
    b.reason = "超范围使用共享数据";
    b.legal_basis = "《江西省公共数据管理办法》第三十九条";
    out.emplace_back(b);
  }
  {
    ReinstateAccountBody b;
    b.account_id = "tz.user.bad";
    b.reason = "整改完成";
    out.emplace_back(b);
  }
  {
    RotateKeyBody b;
    b.account_id = "tz.scjgj.registrar";
    b.new_public_key = SampleKey(9);
    out.emplace_back(b);
  }
  {
    SetPolicyBody b;
    b.authority = "321200";
    b.policy = {0x00, 0x01, 0x02, 0xff};
    out.emplace_back(b);
  }
  {
    SetCalendarBody b;
    b.calendar_id = "cn-2025";
    b.calendar = {0x10, 0x20, 0x30};
    out.emplace_back(b);
  }
  {
    AddValidatorBody b;
    b.node_id = 4;
    b.name = "兴化市节点";
    b.authority = "321281";
    b.public_key = SampleKey(4);
    out.emplace_back(b);
  }
  {
    RemoveValidatorBody b;
    b.node_id = 4;
    b.reason = "服务器迁移";
    out.emplace_back(b);
  }
  {
    RotateValidatorKeyBody b;
    b.node_id = 3;
    b.new_public_key = SampleKey(7);
    for (size_t i = 0; i < b.proof.bytes.size(); ++i) b.proof.bytes[i] = static_cast<uint8_t>(i);
    out.emplace_back(b);
  }
  out.emplace_back(SampleRegisterAsset());
  {
    PublishAssetVersionBody b;
    b.asset_id = "tz.scjgj.enterprise-registry";
    b.content_hash = SampleDigest(2);
    b.size_bytes = 130'000'000;
    b.change_note = "更正异议 obj-7 所涉记录";
    b.name = "企业登记信息（2025版）";
    b.description = "新增经营范围字段";
    b.fields = std::vector<std::string>{"name", "credit_code", "business_scope"};
    b.format = "api/json";
    b.update_frequency = UpdateFrequency::kRealTime;
    b.grade = ClassificationGrade::kGeneral;
    out.emplace_back(b);
  }
  {
    ChangeAssetTypesBody b;
    b.asset_id = "tz.scjgj.enterprise-registry";
    b.share_type = ShareType::kUnconditional;
    b.open_type = OpenType::kConditional;
    b.open_reason = "经脱敏后可有条件开放";
    b.open_legal_basis = "《江苏省公共数据管理办法》第二十六条";
    out.emplace_back(b);
  }
  {
    RetireAssetBody b;
    b.asset_id = "tz.old.asset";
    b.reason = "数据已并入新资源";
    out.emplace_back(b);
  }
  {
    DestroyAssetBody b;
    b.asset_id = "tz.old.asset";
    b.reason = "保存期限届满";
    b.legal_basis = "《泰州市公共数据管理办法》第二十二条";
    b.destruction_record_hash = SampleDigest(3);
    out.emplace_back(b);
  }
  out.emplace_back(SampleRequestShare());
  {
    ApproveShareBody b;
    b.request_id = "req-2025-0001";
    b.terms = SampleTerms();
    b.conditions = "仅限本次业务使用";
    out.emplace_back(b);
  }
  {
    RefuseShareBody b;
    b.request_id = "req-2025-0002";
    b.legal_basis = "《中华人民共和国个人信息保护法》第十三条";
    b.reason = "用途与申请场景不符";
    out.emplace_back(b);
  }
  {
    ConsentCopyBody b;
    b.request_id = "req-2025-0003";
    b.decision = Decision::kRefuse;
    b.reason = "接口方式可满足需求";
    out.emplace_back(b);
  }
  {
    DecideOverdueShareBody b;
    b.request_id = "req-2025-0004";
    b.decision = Decision::kApprove;
    b.terms = SampleTerms();
    b.reason = "提供方逾期未答复";
    b.legal_basis = "《泰州市公共数据管理办法》第十五条";
    out.emplace_back(b);
  }
  {
    SuspendGrantBody b;
    b.grant_id = "req-2025-0001";
    b.reason = "发现超范围使用";
    b.legal_basis = "《江西省公共数据管理办法》第三十九条";
    out.emplace_back(b);
  }
  {
    ResumeGrantBody b;
    b.grant_id = "req-2025-0001";
    b.reason = "核查无误";
    out.emplace_back(b);
  }
  {
    RevokeGrantBody b;
    b.grant_id = "req-2025-0001";
    b.reason = "违规向第三方提供";
    b.legal_basis = "《成都市公共数据管理应用暂行规定》第三十条";
    out.emplace_back(b);
  }
  {
    DeliverShareBody b;
    b.grant_id = "req-2025-0001";
    b.delivery_digest = SampleDigest(13);
    b.note = "接口已开通，调用凭证已交付";
    out.emplace_back(b);
  }
  {
    RequestAggregationBody b;
    b.demand_id = "demand-17";
    b.provider_authority = "321200";
    b.department = "泰州市人力资源和社会保障局";
    b.description = "灵活就业人员参保信息";
    b.fields = {"id_hash", "insured_since"};
    b.purpose = "就业补贴发放";
    b.business_scenario = "灵活就业社保补贴";
    out.emplace_back(b);
  }
  {
    AnswerAggregationBody b;
    b.demand_id = "demand-17";
    b.decision = Decision::kApprove;
    b.reason = "十个工作日内归集";
    out.emplace_back(b);
  }
  {
    DeliverAggregationBody b;
    b.demand_id = "demand-17";
    b.asset_id = "tz.rsj.flexible-insured";
    out.emplace_back(b);
  }
  {
    ApplyOpenBody b;
    b.application_id = "open-2025-9";
    b.asset_id = "tz.jtj.bus-routes";
    b.purpose = "公交出行应用";
    b.use_scenario = "实时公交查询";
    b.fields = {"route", "stops"};
    out.emplace_back(b);
  }
  {
    DecideOpenBody b;
    b.application_id = "open-2025-9";
    b.decision = Decision::kApprove;
    b.reason = "符合有条件开放要求";
    b.agreement_hash = SampleDigest(5);
    out.emplace_back(b);
  }
  {
    RequestOpenReviewBody b;
    b.application_id = "open-2025-10";
    b.reason = "拒绝理由不充分";
    out.emplace_back(b);
  }
  {
    DecideOpenReviewBody b;
    b.application_id = "open-2025-10";
    b.decision = Decision::kApprove;
    b.reason = "复核撤销原决定";
    b.legal_basis = "《成都市公共数据管理应用暂行规定》第三十四条";
    b.agreement_hash = SampleDigest(6);
    out.emplace_back(b);
  }
  {
    RecordAccessBody b;
    b.grant_id = "req-2025-0001";
    b.asset_id = "tz.scjgj.enterprise-registry";
    b.purpose = "核验企业登记信息以办理税务登记";
    b.business_scenario = "企业开办一件事 — 核验营业执照";
    b.fields = {"name", "credit_code"};
    b.row_count = 1;
    b.result_digest = SampleDigest(7);
    b.mode = AccessMode::kRequestResponse;
    b.third_party = false;
    out.emplace_back(b);
  }
  {
    RaiseObjectionBody b;
    b.objection_id = "obj-7";
    b.asset_id = "tz.scjgj.enterprise-registry";
    b.kind = ObjectionKind::kPrivacy;
    b.fields = {"legal_person"};
    b.description_hash = SampleDigest(8);
    out.emplace_back(b);
  }
  {
    AnswerObjectionBody b;
    b.objection_id = "obj-7";
    b.answer = ObjectionAnswer::kCorrected;
    b.reason = "已更正";
    b.new_version = 2;
    out.emplace_back(b);
  }
  {
    EscalateObjectionBody b;
    b.objection_id = "obj-8";
    b.reason = "提供方逾期未答复";
    out.emplace_back(b);
  }
  {
    OpenDisputeBody b;
    b.dispute_id = "case-2025-1";
    b.subject = "企业登记信息更正争议";
    b.record_refs = {SampleDigest(10), SampleDigest(11)};
    out.emplace_back(b);
  }
  {
    CloseDisputeBody b;
    b.dispute_id = "case-2025-1";
    b.ruling_hash = SampleDigest(12);
    b.summary = "责令更正并撤销授权";
    DisputeOrder correction;
    correction.kind = OrderKind::kCorrection;
    correction.target_kind = TargetKind::kAsset;
    correction.target_id = "tz.scjgj.enterprise-registry";
    correction.detail = "十个工作日内更正";
    DisputeOrder revocation;
    revocation.kind = OrderKind::kRevocation;
    revocation.target_kind = TargetKind::kGrant;
    revocation.target_id = "req-2025-0001";
    b.orders = {correction, revocation};
    out.emplace_back(b);
  }
  return out;
}

// The sample body of type B.
template <typename B>
B SampleOf() {
  for (const Body& body : SampleBodies()) {
    if (const B* found = std::get_if<B>(&body)) return *found;
  }
  assert(false && "no sample for this body type");
  return B{};
}

}  // namespace shulian::ledger::testing
