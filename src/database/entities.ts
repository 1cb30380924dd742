import { AgentStateEventEntity } from '../modules/agents/agent-state-event.entity';
import { CallbackEntity, CallEntity, CallObjectionEntity, DispositionEntity } from '../modules/calls/call.entities';
import {
  CampaignEntity, CampaignListEntity, CampaignOutcomeEntity, CampaignStatusEventEntity,
} from '../modules/campaigns/campaign.entity';
import {
  CallingHoursRuleEntity, ComplianceEventEntity, DncEntryEntity, DncRegistryImportEntity,
} from '../modules/compliance/compliance.entities';
import { LeadImportEntity, LeadImportErrorEntity } from '../modules/leads/import/lead-import.entity';
import { LeadEntity, LeadListEntity } from '../modules/leads/lead.entity';
import { ObjectionEntity, ScriptEntity, ScriptVersionEntity } from '../modules/scripts/script.entities';
import { SipGatewayEntity } from '../modules/telephony/sip-gateway.entity';
import { UserEntity } from '../modules/users/user.entity';

/** Every entity, registered once for the app, the CLI data source and the tests. */
export const ENTITIES = [
  UserEntity, SipGatewayEntity, CampaignEntity, CampaignStatusEventEntity, CampaignOutcomeEntity, CampaignListEntity,
  LeadListEntity, LeadEntity, DncEntryEntity, ComplianceEventEntity, ScriptEntity, ScriptVersionEntity, ObjectionEntity,
  CallEntity, CallObjectionEntity, DispositionEntity, CallbackEntity, AgentStateEventEntity,
  DncRegistryImportEntity, CallingHoursRuleEntity,
  LeadImportEntity, LeadImportErrorEntity,
];
