import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsUUID, ValidateNested } from 'class-validator';

export class RaisedObjectionDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'must be a UUID' }) objectionId: string;
  @ApiProperty({ description: 'the agent answered it and the call went on' }) @IsBoolean() overcome: boolean;
}

export class RecordObjectionsDto {
  @ApiProperty({ type: [RaisedObjectionDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => RaisedObjectionDto)
  objections: RaisedObjectionDto[];
}

export class DeskSection {
  @ApiProperty() key: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'rendered for this lead; values HTML-escaped' }) html: string;
  @ApiProperty() branches: { label: string; goto: string }[];
}

export class DeskScript {
  @ApiProperty() scriptId: string;
  @ApiProperty() scriptVersionId: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: [DeskSection] }) sections: DeskSection[];
}

export class DeskObjection {
  @ApiProperty() id: string;
  @ApiProperty() category: string;
  @ApiProperty() label: string;
  @ApiProperty() rebuttalHtml: string;
}

export class DeskOutcome {
  @ApiProperty() code: string;
  @ApiProperty() label: string;
  @ApiProperty() isFinal: boolean;
  @ApiProperty() isSuccess: boolean;
  @ApiProperty() isDnc: boolean;
}

export class DeskRaisedObjection {
  @ApiProperty({ format: 'uuid' }) objectionId: string;
  @ApiProperty() label: string;
  @ApiProperty({ description: 'recorded as overcome (sent with the disposition)' }) overcome: boolean;
}

export class AgentDeskResponse {
  @ApiPropertyOptional({ nullable: true }) call: {
    id: string; campaignId: string; state: string; answerAt: Date | null; connectAt: Date | null; endAt: Date | null;
    offeredAt: Date | null; previewExpiresAt: Date | null; previewTimeoutAction: 'dial' | 'skip' | null;
    /** Time left on the preview, by the server's clock when it answered: the page counts it down on its own monotonic clock. */
    previewRemainingMs: number | null;
  } | null;
  @ApiPropertyOptional({ nullable: true }) lead: Record<string, unknown> | null;
  @ApiPropertyOptional({ nullable: true }) campaign: { id: string; name: string; dialMode: string; callbackPolicy: string } | null;
  @ApiPropertyOptional({ type: DeskScript, nullable: true }) script: DeskScript | null;
  @ApiProperty({ type: [DeskObjection] }) objections: DeskObjection[];
  @ApiProperty({ type: [DeskOutcome] }) outcomes: DeskOutcome[];
  @ApiProperty({ type: [DeskRaisedObjection], description: 'objections raised on this call so far, in the order raised' }) raisedObjections: DeskRaisedObjection[];
}

export class AgentCampaign {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() dialMode: string;
}

export class AgentCallback {
  @ApiProperty() id: string;
  @ApiProperty() dueAt: Date;
  @ApiProperty({ enum: ['agent', 'anyone'] }) scope: string;
  @ApiProperty() status: string;
  @ApiProperty() campaignId: string;
  @ApiProperty() campaignName: string;
  @ApiProperty() lead: { firstName: string | null; lastName: string | null };
}
