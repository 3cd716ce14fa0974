/**
 * Opening a contact's page from anywhere in the desk (the contact panel, search results, a merge
 * suggestion) without threading a callback through every screen: the app shell listens.
 */
export const CONTACT_EVENT = 'sb:contact';
export const openContactPage = (contactId: string) => dispatchEvent(new CustomEvent(CONTACT_EVENT, { detail: contactId }));
