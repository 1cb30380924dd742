/** Every BullMQ queue the service uses, named in one place. */
export enum QueueName {
  /** Housekeeping: expired lead leases, stale calls. */
  Maintenance = 'maintenance',
  /** Lead list imports (CSV). */
  LeadImport = 'lead-import',
  /** National DNC registry imports. */
  DncImport = 'dnc-import',
  /** Scheduled campaign start/stop. */
  CampaignSchedule = 'campaign-schedule',
  /** Lead retries and callbacks coming due. */
  Retry = 'retry',
  /** Dialer control: campaign orchestrator wake-ups. */
  Dialer = 'dialer',
}
