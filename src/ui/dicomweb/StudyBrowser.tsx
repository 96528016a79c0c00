import { chooseStudy, searchStudies } from '../../hospital/open-from-server';
import { useAppStoreApi } from '../store-context';
import { useWorklist } from '../worklist/use-worklist';
import { ChosenStudy } from './ChosenStudy';
import { ServerSettings } from './ServerSettings';
import { useHospital, useHospitalApi } from './use-hospital';
import './dicomweb.css';

/**
 * Open a study from the hospital's DICOMweb server: QIDO-RS search, pick a study, pick a CR/DX
 * image (opened at once when it is the only one), retrieved with WADO-RS and opened like a dropped file.
 */
export function StudyBrowser() {
  const app = useAppStoreApi();
  const h = useHospitalApi();
  const query = useHospital((s) => s.query);
  const setQuery = useHospital((s) => s.setQuery);
  const search = useHospital((s) => s.search);
  const chosen = useHospital((s) => s.chosen);
  const worklist = useWorklist();

  return (
    <section className="panel dicomweb" aria-labelledby="dicomweb-heading" data-testid="study-browser">
      <h2 id="dicomweb-heading">Hospital server (DICOMweb)</h2>
      <ServerSettings />
      <form
        className="dicomweb-search"
        aria-label="Search studies"
        onSubmit={(e) => {
          e.preventDefault();
          void searchStudies(h);
        }}
      >
        <label>
          Patient ID
          <input type="text" value={query.patientId} onChange={(e) => setQuery({ patientId: e.currentTarget.value })} />
        </label>
        <label>
          Patient name
          <input type="text" value={query.patientName} onChange={(e) => setQuery({ patientName: e.currentTarget.value })} />
        </label>
        <label>
          Accession number
          <input type="text" value={query.accession} onChange={(e) => setQuery({ accession: e.currentTarget.value })} />
        </label>
        <label>
          Study date from
          <input type="date" value={query.dateFrom} onChange={(e) => setQuery({ dateFrom: e.currentTarget.value })} />
        </label>
        <label>
          Study date to
          <input type="date" value={query.dateTo} onChange={(e) => setQuery({ dateTo: e.currentTarget.value })} />
        </label>
        <label>
          Modalities
          <input
            type="text"
            value={query.modalities.join(' ')}
            onChange={(e) => setQuery({ modalities: e.currentTarget.value.split(/[\s,\\]+/).filter(Boolean) })}
          />
        </label>
        <button type="submit" disabled={search.status === 'busy'}>
          Search studies
        </button>
      </form>
      {search.status === 'busy' && <p role="status">{search.what}</p>}
      {search.status === 'error' && (
        <p role="alert" className="dicomweb-error" data-testid="dicomweb-error" data-code={search.code}>
          {search.message}
        </p>
      )}
      {search.status === 'done' && search.value.length === 0 && <p role="status">No studies match.</p>}
      {search.status === 'done' && search.value.length > 0 && (
        <button type="button" onClick={() => worklist.addStudies(search.value)}>
          Add all {search.value.length} to the worklist
        </button>
      )}
      {search.status === 'done' && search.value.length > 0 && (
        <table className="dicomweb-studies" aria-label="Studies found">
          <thead>
            <tr>
              <th>Patient</th>
              <th>ID</th>
              <th>Date</th>
              <th>Accession</th>
              <th>Modalities</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {search.value.map((st) => (
              <tr key={st.studyUID} data-study-uid={st.studyUID} aria-selected={chosen?.study.studyUID === st.studyUID}>
                <td>{st.patientName}</td>
                <td>{st.patientId}</td>
                <td>{st.date}</td>
                <td>{st.accession}</td>
                <td>{st.modalities.join(', ')}</td>
                <td>
                  <button type="button" onClick={() => void chooseStudy(app, h, st)} aria-label={`Open study ${st.accession || st.studyUID}`}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ChosenStudy testIds />
    </section>
  );
}
