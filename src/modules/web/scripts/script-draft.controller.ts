import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { AuthUser, CurrentUser } from '../../../common/auth/auth-user';
import { Roles } from '../../../common/auth/roles.decorator';
import { DomainError } from '../../../common/errors/domain-error';
import { Role } from '../../users/user.entity';
import { checkSections, describeErrors } from '../../scripts/script-sections';
import { buildContext, renderTemplate } from '../../scripts/script-template';
import { RenderedSection, SampleLeadDto, ScriptSectionDto } from '../../scripts/scripts.dto';
import { renderEnv, sampleToLead, ScriptsService } from '../../scripts/scripts.service';

export class ScriptDraftPreviewDto {
  @ApiProperty({ type: [ScriptSectionDto] })
  @IsArray() @ArrayMinSize(1, { message: 'must have at least one section' }) @ArrayMaxSize(30)
  @ValidateNested({ each: true }) @Type(() => ScriptSectionDto)
  sections: ScriptSectionDto[];

  @ApiPropertyOptional({ type: SampleLeadDto }) @IsOptional() @ValidateNested() @Type(() => SampleLeadDto) lead?: SampleLeadDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'the script being edited: its campaigns\' list fields are checked' })
  @IsOptional() @IsUUID('all', { message: 'must be a UUID' })
  scriptId?: string;
}

/**
 * The script editor's live preview: renders sections that are not saved yet, with exactly the checks a save runs
 * (scripts module), so errors show at their line while the manager types.
 */
@ApiTags('scripts')
@ApiBearerAuth()
@Controller('api/web/script-preview')
export class ScriptDraftController {
  constructor(
    private readonly db: DataSource,
    private readonly scripts: ScriptsService,
  ) {}

  /** Roles: admin, manager. 400 with field, line and column for each problem; otherwise the rendered sections. */
  @Post()
  @HttpCode(200)
  @Roles(Role.Admin, Role.Manager)
  async preview(@Body() dto: ScriptDraftPreviewDto, @CurrentUser() user: AuthUser): Promise<{ sections: RenderedSection[] }> {
    const campaigns: { id: string; name: string; timezone: string }[] = dto.scriptId
      ? await this.db.query('SELECT id, name, timezone FROM campaigns WHERE script_id = $1 AND deleted_at IS NULL ORDER BY created_at', [dto.scriptId])
      : [];
    const rules = await this.scripts.rulesForCampaigns(campaigns.map((c) => c.id));
    const errors = checkSections(dto.sections.map((s) => ({ ...s, branches: s.branches ?? [] })), rules);
    if (errors.length) throw new DomainError('VALIDATION', `script is invalid: ${describeErrors(errors)}`, errors);
    const lead = sampleToLead(dto.lead);
    const agent = { displayName: user.displayName };
    const campaign = campaigns[0] ?? { name: 'Sample campaign', timezone: 'UTC' };
    const ctx = buildContext(lead, agent, campaign);
    const env = renderEnv(lead, agent, campaign);
    return { sections: dto.sections.map((s) => ({ key: s.key, title: s.title, html: renderTemplate(s.template, ctx, env), branches: s.branches ?? [] })) };
  }
}
