import type { types, ViewOutput } from '@slack/bolt';

type ModalView = types.ModalView;
import type { QueueRow } from '../../db/schema.js';

export const HELPDESK_CALLBACK_ID = 'helpdesk_request';

/** The `/helpdesk` modal: a category (one per queue) and the request itself, prefilled with the command's text. */
export function helpdeskModal(queues: Pick<QueueRow, 'key' | 'name'>[], text = ''): ModalView {
  return {
    type: 'modal',
    callback_id: HELPDESK_CALLBACK_ID,
    title: { type: 'plain_text', text: 'Ask the help desk' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'category',
        label: { type: 'plain_text', text: 'Category' },
        element: {
          type: 'static_select',
          action_id: 'queue',
          placeholder: { type: 'plain_text', text: 'What is it about?' },
          options: queues.slice(0, 100).map((q) => ({ text: { type: 'plain_text', text: q.name.slice(0, 75) }, value: q.key })),
        },
      },
      {
        type: 'input',
        block_id: 'details',
        label: { type: 'plain_text', text: 'How can we help?' },
        element: {
          type: 'plain_text_input',
          action_id: 'text',
          multiline: true,
          ...(text.trim() ? { initial_value: text.trim().slice(0, 3000) } : {}),
        },
      },
    ],
  };
}

/** The submitted category and text, or undefined when either is missing. */
export function readHelpdeskSubmission(view: Pick<ViewOutput, 'state'>): { queue: string; text: string } | undefined {
  const values = view.state.values;
  const queue = values.category?.queue?.selected_option?.value;
  const text = values.details?.text?.value?.trim();
  return queue && text ? { queue, text } : undefined;
}
